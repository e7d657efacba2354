// The one path every change to an existing role takes: authorize, find it in
// scope (404), lock it, let the policy see it (system roles and roles defined
// higher up are read-only; nobody disables their own), apply, audit, commit,
// then announce it so every holder's permissions change at once everywhere.
// An approved request runs the same change (`applyRoleChange`) inside the
// executor's transaction, as its maker (approvals/control-plane-execute.ts).
import { LockMode } from '@mikro-orm/core';
import { inTransaction, type ServiceContext } from '../context/service-context.ts';
import { auditActor, authorize, authorizeWith } from '../auth/authorize.ts';
import { recordAudit } from '../audit/record.ts';
import type { Role } from './role.entity.ts';
import { findRoleInScope, roleFact } from './scope.ts';
import { roleAudit } from './view.ts';

export interface RoleChange {
  operation: 'roles.write' | 'roles.disable';
  action: string;
  /** Applies the change to the locked `role` in `tx.em`'s transaction, or throws the refusal. */
  apply: (tx: ServiceContext, role: Role) => Promise<void> | void;
  remove?: boolean;
  /** The approval an executed change carries out: named in its audit event. */
  approvalId?: string;
}

/** The change in `tx.em`'s transaction; announcing it after commit is the caller's. */
export async function applyRoleChange(tx: ServiceContext, id: string, change: RoleChange): Promise<Role> {
  authorize(tx, change.operation);
  // Locked: an assignment (which share-locks the role) cannot slip past a disable or delete.
  const role = await findRoleInScope(tx, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
  authorizeWith(tx, change.operation, { role: await roleFact(tx.em, role) });
  const before = roleAudit(role);
  await change.apply(tx, role);
  if (change.remove) tx.em.remove(role);
  const approval = change.approvalId !== undefined ? { approvalId: change.approvalId } : {};
  recordAudit(tx.em, auditActor(tx), {
    action: change.action,
    targetType: 'role',
    targetId: role.id,
    before,
    after: change.remove ? null : { ...roleAudit(role), ...approval },
  });
  return role;
}

export async function changeRole(ctx: ServiceContext, id: string, change: RoleChange): Promise<Role> {
  authorize(ctx, change.operation);
  const role = await ctx.em.transactional((em) => applyRoleChange(inTransaction(ctx, em), id, change));
  void ctx.deps.changes.publish([{ kind: 'role', id: role.id }]);
  return role;
}
