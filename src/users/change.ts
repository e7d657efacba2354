// The one path every change to an existing user takes: authorize the
// operation, find the user in scope (else 404), let the policy see the target
// (SELF_MODIFICATION; PRIVILEGE_ESCALATION when its role grants more than the
// actor's; the management table of docs/domain.md#creation), apply the change with its state checks, end sessions
// when access must stop at once, write the audit event, commit, then announce
// the change so every gateway drops what it cached.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import { auditActor, authorize, authorizeWith } from '../auth/authorize.ts';
import { revokeSessions } from '../auth/sessions.ts';
import { recordAudit } from '../audit/record.ts';
import { findUserInScope } from './scope.ts';
import type { User } from './user.entity.ts';
import { targetUserFact } from './target-fact.ts';
import { userAudit } from './view.ts';

export interface UserChange {
  operation: string;
  /** Audit action, also the sessions' revocation reason. */
  action: string;
  /** Applies the change to `user`, or throws the refusal. */
  apply: (em: EntityManager, user: User, now: Date) => Promise<void> | void;
  /** Disable, soft delete, role change, hard delete: the user's sessions end now. */
  endSessions?: boolean;
  remove?: boolean;
}

export async function changeUser(request: FastifyRequest, id: string, change: UserChange): Promise<User> {
  authorize(request, change.operation);
  const { changes, now } = request.server.deps;
  const { user, sessionIds } = await request.em.transactional(async (em) => {
    const user = await findUserInScope(request, id, em);
    authorizeWith(request, change.operation, { target: await targetUserFact(em, user) });
    const before = userAudit(user);
    const at = now();
    await change.apply(em, user, at);
    const sessionIds = change.endSessions ? await revokeSessions(em, { userId: user.id }, change.action, at) : [];
    if (change.remove) em.remove(user);
    recordAudit(em, auditActor(request), {
      action: change.action,
      targetType: 'user',
      targetId: user.id,
      before,
      after: change.remove ? null : userAudit(user),
    });
    return { user, sessionIds };
  });
  await changes.publish([{ kind: 'user', id: user.id }, ...sessionIds.map((sid) => ({ kind: 'session' as const, id: sid }))]);
  return user;
}
