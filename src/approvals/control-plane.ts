// Control-plane actions a tenant may put behind a checker (Tenant.approvals):
// hard delete of a user (`hardDeleteUser`, module user_hard_delete) and every
// change that raises someone's level (`roleLevelRaise`, module roles: see
// level-raise.ts). Requesting runs every check the action itself runs, then
// stores it instead of acting. Executing runs those checks again with the
// maker's authority as it is now (as-maker.ts: context, scope, merchant
// access, level) and acts in one transaction with the approval's EXECUTED
// state and both audit events; the action's own audit event names the maker
// as its actor and carries the approval id.
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import { recordAudit } from '../audit/record.ts';
import { auditActor, authorize, authorizeWith } from '../auth/authorize.ts';
import { revokeSessions } from '../auth/sessions.ts';
import type { AuthzChange } from '../../core/changes/authz-changes.ts';
import { conflict, notFound } from '../../core/http/errors.ts';
import { checkAcl, checkWithinActor } from '../roles/acl.ts';
import { assignableRole } from '../roles/assignment.ts';
import { Role } from '../roles/role.entity.ts';
import { findRoleInScope, roleFact } from '../roles/scope.ts';
import { roleAudit } from '../roles/view.ts';
import { Tenant } from '../tenants/tenant.entity.ts';
import { mailInvitation } from '../users/invitation.ts';
import { createInvitedUser } from '../users/invite.ts';
import { findUserInScope } from '../users/scope.ts';
import { targetUserFact } from '../users/target-fact.ts';
import { userAudit } from '../users/view.ts';
import type { Approval } from './approval.entity.ts';
import { asMaker, asMakerCheck } from './as-maker.ts';
import type { Maker } from './maker.ts';
import { createApproval, type NewApproval } from './store.ts';
import type { StoredControlPlaneAction } from '../../core/approvals/stored-request.ts';

export type ApprovalSetting = keyof Tenant['approvals'];

/** Whether the caller's tenant requires a checker for this kind of action. */
export async function approvalRequired(request: FastifyRequest, setting: ApprovalSetting, em: EntityManager = request.em): Promise<boolean> {
  const tenant = await em.findOne(Tenant, { id: request.actor.user.tenantId });
  return tenant?.approvals[setting] === true;
}

function makerFields(request: FastifyRequest): Pick<NewApproval, 'tenantId' | 'makerId' | 'makerContextType' | 'makerContextId'> {
  const { user, context } = request.actor;
  return { tenantId: user.tenantId, makerId: user.id, makerContextType: context.type, makerContextId: context.id };
}

/** Stores a PENDING control-plane approval made by the caller, in `em`'s transaction. */
export function storeControlPlaneAction(
  request: FastifyRequest,
  em: EntityManager,
  fields: Pick<NewApproval, 'module' | 'merchantId'> & { request: StoredControlPlaneAction },
): Approval {
  const { now, config } = request.server.deps;
  return createApproval(
    em,
    auditActor(request),
    { ...makerFields(request), ...fields, kind: 'CONTROL_PLANE', request: { ...fields.request } },
    now(),
    config.APPROVAL_TTL_HOURS,
  );
}

/** DELETE /users/:id under `hardDeleteUser`: the same checks as the delete, then an approval. */
export async function requestHardDelete(request: FastifyRequest, id: string): Promise<Approval> {
  authorize(request, 'users.hard_delete');
  return request.em.transactional(async (em) => {
    const user = await findUserInScope(request, id, em);
    authorizeWith(request, 'users.hard_delete', { target: await targetUserFact(em, user) });
    return storeControlPlaneAction(request, em, {
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

/**
 * The action, in the caller's transaction, with the maker's current
 * authority: a refusal is MAKER_NOT_PERMITTED (reasons: the refusal's code);
 * a target gone is NOT_FOUND; a target changed since the request is CONFLICT.
 */
export async function executeControlPlaneAction(request: FastifyRequest, em: EntityManager, approval: Approval, maker: Maker): Promise<Executed> {
  const action = approval.request as unknown as StoredControlPlaneAction;
  const as = await asMaker(request, em, approval, maker);
  const audit = auditActor(as);
  const tenantId = approval.tenantId;
  switch (action.action) {
    case 'user.hard_delete': {
      await lockedUser(em, tenantId, action.targetId);
      const user = await asMakerCheck(() => findUserInScope(as, action.targetId, em));
      await asMakerCheck(async () => {
        authorize(as, 'users.hard_delete');
        authorizeWith(as, 'users.hard_delete', { target: await targetUserFact(em, user) });
      });
      const before = userAudit(user);
      const sessionIds = await revokeSessions(em, { userId: user.id }, 'user.hard_delete', request.server.deps.now());
      em.remove(user);
      recordAudit(em, audit, { action: 'user.hard_delete', targetType: 'user', targetId: user.id, before, after: { approvalId: approval.id } });
      return { announce: [{ kind: 'user', id: user.id }, ...sessionIds.map((id) => ({ kind: 'session' as const, id }))] };
    }
    case 'role.update':
    case 'role.enable': {
      const role = await em.findOne(Role, { id: action.targetId, tenantId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!role) throw notFound('role');
      if (role.version !== action.version) throw conflict('CONFLICT', 'the role changed after the request was made; make the request again');
      await asMakerCheck(async () => {
        authorize(as, 'roles.write');
        await findRoleInScope(as, em, role.id);
        authorizeWith(as, 'roles.write', { role: await roleFact(em, role) });
        if (action.action === 'role.update' && action.patch.acl) checkAcl(as, action.patch.acl);
        else checkWithinActor(as, role.acl);
      });
      const before = roleAudit(role);
      if (action.action === 'role.update') {
        const { patch } = action;
        if (patch.acl) role.acl = patch.acl;
        if (patch.name !== undefined) role.name = patch.name;
        if (patch.description !== undefined) role.description = patch.description;
        if (patch.requireMfa !== undefined) role.requireMfa = patch.requireMfa;
      } else {
        if (role.enabled) throw conflict('CONFLICT', 'the role is already enabled');
        role.enabled = true;
      }
      recordAudit(em, audit, { action: action.action, targetType: 'role', targetId: role.id, before, after: { ...roleAudit(role), approvalId: approval.id } });
      return { announce: [{ kind: 'role', id: role.id }] };
    }
    case 'user.role.update': {
      await lockedUser(em, tenantId, action.targetId);
      const user = await asMakerCheck(() => findUserInScope(as, action.targetId, em));
      if (user.roleId !== action.fromRoleId) throw conflict('CONFLICT', 'the user\'s role changed after the request was made; make the request again');
      if (user.status === 'SOFT_DEL') throw conflict('USER_NOT_ACTIVE', 'the user is deleted; restore it first');
      const role = await asMakerCheck(async () => {
        authorize(as, 'users.update');
        authorizeWith(as, 'users.update', { target: await targetUserFact(em, user) });
        return assignableRole(as, em, action.roleId, user);
      });
      const before = userAudit(user);
      user.roleId = role.id;
      const now = request.server.deps.now();
      const sessionIds = await revokeSessions(em, { userId: user.id }, 'user.role.update', now);
      recordAudit(em, audit, { action: 'user.role.update', targetType: 'user', targetId: user.id, before, after: { ...userAudit(user), approvalId: approval.id } });
      return { announce: [{ kind: 'user', id: user.id }, ...sessionIds.map((id) => ({ kind: 'session' as const, id }))] };
    }
    case 'user.invite': {
      const { user, invitation } = await asMakerCheck(() => createInvitedUser(as, em, action.invite, { holdRaise: false, approvalId: approval.id }));
      return { announce: [], afterCommit: () => mailInvitation(request, user.email, invitation) };
    }
  }
}

/** The user row, locked for the execution (NOT_FOUND when it is gone from the tenant). */
async function lockedUser(em: EntityManager, tenantId: string, id: string): Promise<void> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    'select id from users where id = ? and tenant_id = ? for update',
    [id, tenantId],
    'all',
    em.getTransactionContext(),
  );
  if (rows.length === 0) throw notFound('user');
}
