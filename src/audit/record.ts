import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AuditEvent } from './audit-event.entity.ts';

export interface AuditActor {
  tenantId: string;
  actorId: string | null;
  contextType: string | null;
  contextId: string | null;
  /** The server's id of the request. */
  requestId: string | null;
  /** What the client sent as X-Request-Id (see app/build.ts), kept apart. */
  clientRequestId?: string | null;
}

/**
 * Adds an audit event to the unit of work of `em`, so it commits or rolls back
 * with the mutation it describes. Never pass secrets in before/after.
 */
export function recordAudit(
  em: EntityManager,
  actor: AuditActor,
  event: { action: string; targetType: string; targetId: string; before?: Record<string, unknown> | null; after?: Record<string, unknown> | null; tenantId?: string },
): AuditEvent {
  const e = em.create(AuditEvent, {
    id: randomUUID(),
    tenantId: event.tenantId ?? actor.tenantId,
    actorId: actor.actorId,
    contextType: actor.contextType,
    contextId: actor.contextId,
    requestId: actor.requestId,
    clientRequestId: actor.clientRequestId ?? null,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    before: event.before ?? null,
    after: event.after ?? null,
    createdAt: new Date(),
  });
  em.persist(e);
  return e;
}
