// Control-plane actions a tenant may put behind a checker (Tenant.approvals):
// hard delete of a user (`hardDeleteUser`, module user_hard_delete) and every
// change that raises someone's level (`roleLevelRaise`, module roles: see
// level-raise.ts). Requesting runs every check the action itself runs, then
// stores it instead of acting. Executing runs the very service the route
// runs (users/change.ts, roles/change.ts, users/invite.ts) with the maker's
// authority as it is now (as-maker.ts: context, scope, merchant access,
// level), in one transaction with the approval's EXECUTED state and both
// audit events; the action's own audit event names the maker as its actor
// and carries the approval id.
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { inTransaction, type ServiceContext } from '../app/service-context.ts';
import { auditActor, authorize, authorizeWith } from '../auth/authorize.ts';
import type { AuthzChange } from '../../core/changes/authz-changes.ts';
import { conflict, notFound } from '../../core/http/errors.ts';
import { applyRoleChange } from '../roles/change.ts';
import { Role } from '../roles/role.entity.ts';
import { roleEdit, roleToggle } from '../roles/service.ts';
import { Tenant } from '../tenants/tenant.entity.ts';
import { roleAssignment } from '../users/access.ts';
import { applyUserChange } from '../users/change.ts';
import { mailInvitation } from '../users/invitation.ts';
import { createInvitedUser } from '../users/invite.ts';
import { hardDeletion } from '../users/lifecycle.ts';
import { findUserInScope } from '../users/scope.ts';
import { targetUserFact } from '../users/target-fact.ts';
import type { Approval } from './approval.entity.ts';
import { asMaker, asMakerCheck } from './as-maker.ts';
import type { Maker } from './maker.ts';
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

/** What executing an action leaves to do after its commit. */
export interface Executed {
  announce: Omit<AuthzChange, 'at'>[];
  afterCommit?: () => Promise<void>;
}

const userAnnouncement = (userId: string, sessionIds: string[]): Executed['announce'] =>
  [{ kind: 'user', id: userId }, ...sessionIds.map((id) => ({ kind: 'session' as const, id }))];

/**
 * The action, in the checker's transaction `em`, with the maker's current
 * authority: a refusal is MAKER_NOT_PERMITTED (reasons: the refusal's code);
 * a target gone is NOT_FOUND; a target changed since the request is CONFLICT.
 * The target is locked and compared with the request first, so those two
 * answers come before any check of the maker's authority.
 */
export async function executeControlPlaneAction(checker: ServiceContext, em: EntityManager, approval: Approval, maker: Maker): Promise<Executed> {
  const action = approval.request as unknown as StoredControlPlaneAction;
  const as = await asMaker(checker, em, approval, maker);
  const approvalId = approval.id;
  const tenantId = approval.tenantId;
  switch (action.action) {
    case 'user.hard_delete': {
      await lockedUser(em, tenantId, action.targetId);
      const { user, sessionIds } = await asMakerCheck(() => applyUserChange(as, action.targetId, hardDeletion({ approvalId })));
      return { announce: userAnnouncement(user.id, sessionIds) };
    }
    case 'role.update':
    case 'role.enable': {
      const role = await em.findOne(Role, { id: action.targetId, tenantId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!role) throw notFound('role');
      if (role.version !== action.version) throw conflict('CONFLICT', 'the role changed after the request was made; make the request again');
      const change = action.action === 'role.update' ? roleEdit(action.patch, { approvalId }) : roleToggle(true, { approvalId });
      await asMakerCheck(() => applyRoleChange(as, role.id, change));
      return { announce: [{ kind: 'role', id: role.id }] };
    }
    case 'user.role.update': {
      const roleId = await lockedUser(em, tenantId, action.targetId);
      if (roleId !== action.fromRoleId) throw conflict('CONFLICT', 'the user\'s role changed after the request was made; make the request again');
      const { user, sessionIds } = await asMakerCheck(() => applyUserChange(as, action.targetId, roleAssignment(action.roleId, { approvalId })));
      return { announce: userAnnouncement(user.id, sessionIds) };
    }
    case 'user.invite': {
      const { user, invitation } = await asMakerCheck(() => createInvitedUser(as, action.invite, { holdRaise: false, approvalId }));
      return { announce: [], afterCommit: () => mailInvitation(checker, user.email, invitation) };
    }
  }
}

/** The user row, locked for the execution (NOT_FOUND when it is gone from the tenant); answers its role. */
async function lockedUser(em: EntityManager, tenantId: string, id: string): Promise<string> {
  const rows = await em.getConnection().execute<{ role_id: string }[]>(
    'select role_id from users where id = ? and tenant_id = ? for update',
    [id, tenantId],
    'all',
    em.getTransactionContext(),
  );
  if (rows.length === 0) throw notFound('user');
  return rows[0]!.role_id;
}
