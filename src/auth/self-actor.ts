// Audit actor for what users do to themselves before they hold a session
// (login, invitation acceptance, enrolment): the user is the actor.
import type { AuditActor } from '../audit/record.ts';
import type { ContextRef } from './contexts.ts';

export function selfActor(user: { id: string; tenantId: string }, requestId: string, context?: ContextRef): AuditActor {
  return {
    tenantId: user.tenantId,
    actorId: user.id,
    contextType: context?.type ?? null,
    contextId: context?.id ?? null,
    requestId,
  };
}
