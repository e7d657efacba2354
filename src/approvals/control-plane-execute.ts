// Executing an approved control-plane action (requested through
// control-plane-request.ts): it runs the very service the route runs
// (users/change.ts, roles/change.ts, users/invite.ts) with the maker's
// authority as it is now (as-maker.ts: context, scope, merchant access,
// level), in one transaction with the approval's EXECUTED state and both
// audit events; the action's own audit event names the maker as its actor
// and carries the approval id.
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ServiceContext } from '../context/service-context.ts';
import type { AuthzChange } from '../../core/changes/authz-changes.ts';
import { conflict, notFound } from '../../core/http/errors.ts';
import { applyRoleChange } from '../roles/change.ts';
import { Role } from '../roles/role.entity.ts';
import { roleEdit, roleToggle } from '../roles/service.ts';
import { roleAssignment } from '../users/access.ts';
import { applyUserChange } from '../users/change.ts';
import { mailInvitation } from '../users/invitation.ts';
import { createInvitedUser } from '../users/invite.ts';
import { hardDeletion } from '../users/lifecycle.ts';
import type { Approval } from './approval.entity.ts';
import { asMaker, asMakerCheck } from './as-maker.ts';
import type { Maker } from './maker.ts';
import type { StoredControlPlaneAction } from '../../core/approvals/stored-request.ts';

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
