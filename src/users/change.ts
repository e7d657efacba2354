// The one path every change to an existing user takes: authorize the
// operation, find the user in scope (else 404), let the policy see the target
// (SELF_MODIFICATION; PRIVILEGE_ESCALATION when its role grants more than the
// actor's; the management table of docs/domain.md#creation), apply the change with its state checks, end sessions
// when access must stop at once, write the audit event, commit, then announce
// the change so every gateway drops what it cached. An approved request runs
// the same change (`applyUserChange`) inside the executor's transaction, as
// its maker (approvals/control-plane-execute.ts).
import { inTransaction, type ServiceContext } from '../context/service-context.ts';
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
  /** Applies the change to `user` in `tx.em`'s transaction, or throws the refusal. */
  apply: (tx: ServiceContext, user: User, now: Date) => Promise<void> | void;
  /** Disable, soft delete, role change, hard delete: the user's sessions end now. */
  endSessions?: boolean;
  remove?: boolean;
  /** The approval an executed change carries out: named in its audit event. */
  approvalId?: string;
}

/** The change in `tx.em`'s transaction; announcing the user and `sessionIds` after commit is the caller's. */
export async function applyUserChange(tx: ServiceContext, id: string, change: UserChange): Promise<{ user: User; sessionIds: string[] }> {
  authorize(tx, change.operation);
  const user = await findUserInScope(tx, id);
  authorizeWith(tx, change.operation, { target: await targetUserFact(tx.em, user) });
  const before = userAudit(user);
  const at = tx.now();
  await change.apply(tx, user, at);
  const sessionIds = change.endSessions ? await revokeSessions(tx.em, { userId: user.id }, change.action, at) : [];
  if (change.remove) tx.em.remove(user);
  const approval = change.approvalId !== undefined ? { approvalId: change.approvalId } : null;
  recordAudit(tx.em, auditActor(tx), {
    action: change.action,
    targetType: 'user',
    targetId: user.id,
    before,
    after: change.remove ? approval : { ...userAudit(user), ...approval },
  });
  return { user, sessionIds };
}

export async function changeUser(ctx: ServiceContext, id: string, change: UserChange): Promise<User> {
  authorize(ctx, change.operation);
  const { changes } = ctx.deps;
  const { user, sessionIds } = await ctx.em.transactional((em) => applyUserChange(inTransaction(ctx, em), id, change));
  void changes.publish([{ kind: 'user', id: user.id }, ...sessionIds.map((sid) => ({ kind: 'session' as const, id: sid }))]);
  return user;
}
