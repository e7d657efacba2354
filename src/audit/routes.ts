// GET /v1/audit-events: the tenant's audit log, newest first (needs audit: R).
// TENANT context reads the whole tenant's log; RESELLER context what was done
// in the reseller's context or its merchants'; MERCHANT context what was done
// in that merchant's context. The log is read-only for everyone.
import { raw, type FilterQuery } from '@mikro-orm/core';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Actor } from '../app/request-context.ts';
import { authenticate } from '../auth/authenticate.ts';
import { authorize } from '../auth/authorize.ts';
import { findPage, PageOf, PageQuery, type SortKey } from '../http/pagination.ts';
import { Nullable, Timestamp, bearer, errorResponses } from '../http/schemas.ts';
import { AuditEvent } from './audit-event.entity.ts';
import { serviceContext } from '../app/service-context.ts';

const Snapshot = Nullable(Type.Object({}, { additionalProperties: true }));

const AuditEventView = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  actorId: Nullable(Type.String()),
  contextType: Nullable(Type.String()),
  contextId: Nullable(Type.String()),
  action: Type.String(),
  targetType: Type.String(),
  targetId: Type.String(),
  before: Snapshot,
  after: Snapshot,
  requestId: Nullable(Type.String()),
  /** The client's X-Request-Id, for correlation; requestId is always the server's. */
  clientRequestId: Nullable(Type.String()),
  createdAt: Timestamp,
});

const ListQuery = Type.Object(
  {
    actorId: Type.Optional(Type.String({ format: 'uuid' })),
    targetId: Type.Optional(Type.String({ maxLength: 128 })),
    action: Type.Optional(Type.String({ maxLength: 100 })),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    ...PageQuery,
  },
  { additionalProperties: false },
);

const newestFirst: SortKey<AuditEvent> = { field: 'createdAt', direction: 'desc', kind: 'date' };

/**
 * An actor whose merchant access is a list sees no event about a merchant
 * outside it: none done in such a merchant's context, none aimed at such a
 * merchant, at one of its users (a hard-deleted one too, by its snapshot), at
 * a role it owns or at an approval on it. Without this a restricted admin
 * read, in the log, the users and changes its scope hides everywhere else.
 */
function withinMerchantAccess(tenantId: string, listed: string[]): FilterQuery<AuditEvent> {
  const list = '(select jsonb_array_elements_text(?::jsonb))';
  const outside = (a: string) => `not (
    coalesce(${a}.context_type = 'MERCHANT' and ${a}.context_id not in ${list}, false)
    or coalesce(${a}.target_type = 'merchant' and ${a}.target_id not in ${list}, false)
    or coalesce(${a}.target_type = 'user' and ${a}.target_id in
      (select u.id::text from users u where u.tenant_id = ? and u.merchant_id is not null and u.merchant_id not in ${list}), false)
    or coalesce(${a}.target_type = 'user' and coalesce(${a}.before->>'merchantId', ${a}.after->>'merchantId') not in ${list}, false)
    or coalesce(${a}.target_type = 'role' and ${a}.target_id in
      (select r.id::text from roles r where r.tenant_id = ? and r.owner_type = 'MERCHANT' and r.owner_id not in ${list}), false)
    or coalesce(${a}.target_type = 'role' and coalesce(${a}.before->>'ownerType', ${a}.after->>'ownerType') = 'MERCHANT'
      and coalesce(${a}.before->>'ownerId', ${a}.after->>'ownerId') not in ${list}, false)
    or coalesce(${a}.target_type = 'approval' and ${a}.target_id in
      (select p.id::text from approvals p where p.tenant_id = ? and p.merchant_id is not null and p.merchant_id not in ${list}), false))`;
  const json = JSON.stringify(listed);
  return { [raw(outside, [json, json, tenantId, json, json, tenantId, json, json, tenantId, json])]: [] };
}

function auditScope(actor: Actor): FilterQuery<AuditEvent> {
  const listed = actor.user.type === 'MERCHANT' ? [] : actor.user.merchantsAccess;
  const scope = contextScope(actor);
  return listed.length > 0 ? { $and: [scope, withinMerchantAccess(actor.user.tenantId, listed)] } : scope;
}

function contextScope(actor: Actor): FilterQuery<AuditEvent> {
  const tenantId = actor.user.tenantId;
  const { type, id } = actor.context;
  switch (type) {
    case 'TENANT':
      return { tenantId };
    case 'RESELLER':
      return {
        tenantId,
        $or: [
          { contextType: 'RESELLER', contextId: id },
          {
            contextType: 'MERCHANT',
            [raw((a: string) => `${a}.context_id in (select m.id from merchants m where m.tenant_id = ? and m.reseller_id = ?)`, [tenantId, id])]: [],
          },
        ],
      };
    case 'MERCHANT':
      return { tenantId, contextType: 'MERCHANT', contextId: id };
  }
}

export const auditRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', authenticate);

  app.get('/audit-events', {
    schema: {
      tags: ['audit'],
      summary: 'Audit events, newest first; from/to bound createdAt (from inclusive, to exclusive)',
      security: bearer,
      querystring: ListQuery,
      response: { 200: PageOf(AuditEventView), ...errorResponses(400, 403) },
    },
  }, async (request) => {
    authorize(serviceContext(request), 'audit.read');
    const { actorId, targetId, action, from, to, cursor, limit } = request.query;
    const createdAt = { ...(from ? { $gte: new Date(from) } : {}), ...(to ? { $lt: new Date(to) } : {}) };
    const filters = {
      ...(actorId ? { actorId } : {}),
      ...(targetId ? { targetId } : {}),
      ...(action ? { action } : {}),
      ...(from || to ? { createdAt } : {}),
    };
    const { items, nextCursor } = await findPage(request.em, AuditEvent, [auditScope(request.actor), filters], newestFirst, cursor, limit);
    return {
      items: items.map((e) => ({
        id: e.id,
        tenantId: e.tenantId,
        actorId: e.actorId,
        contextType: e.contextType,
        contextId: e.contextId,
        action: e.action,
        targetType: e.targetType,
        targetId: e.targetId,
        before: e.before,
        after: e.after,
        requestId: e.requestId,
        clientRequestId: e.clientRequestId,
        createdAt: e.createdAt.toISOString(),
      })),
      nextCursor,
    };
  });
};
