// Requesting a control-plane action a tenant may put behind a checker
// (Tenant.approvals): hard delete of a user (`hardDeleteUser`, module
// user_hard_delete) and every change that raises someone's level
// (`roleLevelRaise`, module roles: see level-raise.ts). Requesting runs every
// check the action itself runs, then stores it instead of acting; executing
// it is control-plane-execute.ts. Apart from it, so that the services that
// hold their actions (users/, roles/) import this, and the executor imports
// them, without a circle.
import { inTransaction, type ServiceContext } from '../context/service-context.ts';
import { auditActor, authorize, authorizeWith } from '../auth/authorize.ts';
import { Tenant } from '../tenants/tenant.entity.ts';
import { findUserInScope } from '../users/scope.ts';
import { targetUserFact } from '../users/target-fact.ts';
import type { Approval } from './approval.entity.ts';
import { createApproval, type NewApproval } from './store.ts';
import type { StoredControlPlaneAction } from '../../core/approvals/stored-request.ts';

export type ApprovalSetting = keyof Tenant['approvals'];

/** Whether the actor's tenant requires a checker for this kind of action (read in `ctx.em`). */
export async function approvalRequired(ctx: Pick<ServiceContext, 'em' | 'actor'>, setting: ApprovalSetting): Promise<boolean> {
  const tenant = await ctx.em.findOne(Tenant, { id: ctx.actor.user.tenantId });
  return tenant?.approvals[setting] === true;
}

function makerFields(ctx: ServiceContext): Pick<NewApproval, 'tenantId' | 'makerId' | 'makerContextType' | 'makerContextId'> {
  const { user, context } = ctx.actor;
  return { tenantId: user.tenantId, makerId: user.id, makerContextType: context.type, makerContextId: context.id };
}

/** Stores a PENDING control-plane approval made by the actor, in `tx.em`'s transaction. */
export function storeControlPlaneAction(
  tx: ServiceContext,
  fields: Pick<NewApproval, 'module' | 'merchantId'> & { request: StoredControlPlaneAction },
): Approval {
  return createApproval(
    tx.em,
    auditActor(tx),
    { ...makerFields(tx), ...fields, kind: 'CONTROL_PLANE', request: { ...fields.request } },
    tx.now(),
    tx.deps.config.APPROVAL_TTL_HOURS,
  );
}

/** DELETE /users/:id under `hardDeleteUser`: the same checks as the delete, then an approval. */
export async function requestHardDelete(ctx: ServiceContext, id: string): Promise<Approval> {
  authorize(ctx, 'users.hard_delete');
  return ctx.em.transactional(async (em) => {
    const tx = inTransaction(ctx, em);
    const user = await findUserInScope(tx, id);
    authorizeWith(tx, 'users.hard_delete', { target: await targetUserFact(em, user) });
    return storeControlPlaneAction(tx, {
      module: 'user_hard_delete',
      merchantId: user.merchantId,
      request: { action: 'user.hard_delete', targetId: user.id, target: { email: user.email, type: user.type } },
    });
  });
}
