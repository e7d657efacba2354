// GET /v1/audit-events: the tenant's audit log, newest first (needs audit: R).
// TENANT context reads the whole tenant's log; RESELLER context what was done
// in the reseller's context or its merchants'; MERCHANT context what was done
// in that merchant's context (queries.ts). The log is read-only for everyone.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { authenticate } from '../auth/authenticate.ts';
import { PageOf, PageQuery } from '../http/pagination.ts';
import { Nullable, Timestamp, bearer, errorResponses } from '../http/schemas.ts';
import { serviceContext } from '../context/service-context.ts';
import { auditPage } from './queries.ts';

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
    const { items, nextCursor } = await auditPage(serviceContext(request), request.query);
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
