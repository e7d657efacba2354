// Reading the audit log (GET /v1/audit-events): what an actor may see of it
// and one page of that, newest first.
import { raw, type FilterQuery } from '@mikro-orm/core';
import type { Actor } from '../context/request-context.ts';
import type { ServiceContext } from '../context/service-context.ts';
import { authorize } from '../auth/authorize.ts';
import { findPage, type Page, type SortKey } from '../http/pagination.ts';
import { AuditEvent } from './audit-event.entity.ts';

const newestFirst: SortKey<AuditEvent> = { field: 'createdAt', direction: 'desc', kind: 'date' };

export interface AuditFilters {
  actorId?: string;
  targetId?: string;
  action?: string;
  /** createdAt from (inclusive) and to (exclusive), ISO timestamps. */
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

/** One page of the events the actor may read (403 without audit: R). */
export async function auditPage(ctx: ServiceContext, q: AuditFilters): Promise<Page<AuditEvent>> {
  authorize(ctx, 'audit.read');
  const { actorId, targetId, action, from, to, cursor, limit } = q;
  const createdAt = { ...(from ? { $gte: new Date(from) } : {}), ...(to ? { $lt: new Date(to) } : {}) };
  const filters = {
    ...(actorId ? { actorId } : {}),
    ...(targetId ? { targetId } : {}),
    ...(action ? { action } : {}),
    ...(from || to ? { createdAt } : {}),
  };
  return findPage(ctx.em, AuditEvent, [auditScope(ctx.actor), filters], newestFirst, cursor, limit);
}

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
