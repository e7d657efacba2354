// Control-plane actions a tenant may put behind a checker (Tenant.approvals):
// hard delete of a user (`hardDeleteUser`, module user_hard_delete) and role
// edits that raise a level (`roleLevelRaise`, module roles). Requesting runs
// every check the action itself runs, then stores it instead of acting.
// Executing re-checks the maker's authority as it is now and acts in one
// transaction with the approval's EXECUTED state and both audit events; the
// action's own audit event names the maker as its actor.
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import type { AuditActor } from '../audit/record.ts';
import { recordAudit } from '../audit/record.ts';
import { auditActor, authorize, authorizeWith } from '../auth/authorize.ts';
import { revokeSessions } from '../auth/sessions.ts';
import type { AuthzChange } from '../changes/authz-changes.ts';
import { ApiError, conflict, notFound } from '../http/errors.ts';
import type { AdminInput } from '../policy/types.ts';
import { checkAcl } from '../roles/acl.ts';
import { Role } from '../roles/role.entity.ts';
import { findRoleInScope, roleFact } from '../roles/scope.ts';
import { roleAudit } from '../roles/view.ts';
import { Tenant } from '../tenants/tenant.entity.ts';
import { findUserInScope } from '../users/scope.ts';
import { User } from '../users/user.entity.ts';
import { targetUserFact } from '../users/target-fact.ts';
import { userAudit } from '../users/view.ts';
import type { Approval } from './approval.entity.ts';
import type { Maker } from './maker.ts';
import { createApproval, type NewApproval } from './store.ts';
import type { RolePatch, StoredControlPlaneAction } from './stored-request.ts';

export type ApprovalSetting = keyof Tenant['approvals'];

/** Whether the caller's tenant requires a checker for this kind of action. */
export async function approvalRequired(request: FastifyRequest, setting: ApprovalSetting): Promise<boolean> {
  const tenant = await request.em.findOne(Tenant, { id: request.actor.user.tenantId });
  return tenant?.approvals[setting] === true;
}

function makerFields(request: FastifyRequest): Pick<NewApproval, 'tenantId' | 'makerId' | 'makerContextType' | 'makerContextId'> {
  const { user, context } = request.actor;
  return { tenantId: user.tenantId, makerId: user.id, makerContextType: context.type, makerContextId: context.id };
}

function store(request: FastifyRequest, em: EntityManager, fields: Pick<NewApproval, 'module' | 'merchantId'> & { request: StoredControlPlaneAction }): Approval {
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
    return store(request, em, {
      module: 'user_hard_delete',
      merchantId: user.merchantId,
      request: { action: 'user.hard_delete', targetId: user.id, target: { email: user.email, type: user.type } },
    });
  });
}

/**
 * PATCH /roles/:id under `roleLevelRaise`: the edit's checks, then an
 * approval when the new ACL raises a level (the policy's `raised`); null when
 * it raises nothing and the edit may proceed at once.
 */
export async function requestRoleEdit(request: FastifyRequest, id: string, patch: RolePatch & { version?: number }): Promise<Approval | null> {
  const { acl, version, ...rest } = patch;
  if (acl === undefined) return null;
  authorize(request, 'roles.write');
  const role = await findRoleInScope(request, request.em, id);
  authorizeWith(request, 'roles.write', { role: await roleFact(request.em, role) });
  if (version !== undefined && version !== role.version) throw conflict('CONFLICT', 'the role was changed by someone else; reload and retry');
  checkAcl(request, acl);
  const { raised } = request.server.deps.policy.roleCheck({ acl, actor_acl: request.actor.principal.role.acl, previous_acl: role.acl });
  if (raised.length === 0) return null;
  return request.em.transactional(async (em) =>
    store(request, em, {
      module: 'roles',
      merchantId: role.ownerType === 'MERCHANT' ? role.ownerId : null,
      request: { action: 'role.update', targetId: role.id, version: role.version, patch: { ...rest, acl }, raised },
    }),
  );
}

/** The maker may still do it (policy `authz/admin` with the maker's current records), or MAKER_NOT_PERMITTED. */
function requireMaker(request: FastifyRequest, maker: Maker, operation: string, facts: Pick<AdminInput, 'target' | 'role'>): void {
  const r = request.server.deps.policy.admin({ principal: maker.principal, context: maker.context, operation, ...facts });
  if (!r.allow) throw new ApiError(403, 'MAKER_NOT_PERMITTED', 'the maker may no longer do this', { reasons: r.reasons });
}

/** The action, in the caller's transaction; returns the changes to announce after commit. */
export async function executeControlPlaneAction(request: FastifyRequest, em: EntityManager, approval: Approval, maker: Maker): Promise<Omit<AuthzChange, 'at'>[]> {
  const { policy, now } = request.server.deps;
  const action = approval.request as unknown as StoredControlPlaneAction;
  const asMaker: AuditActor = {
    tenantId: approval.tenantId,
    actorId: approval.makerId,
    contextType: approval.makerContextType,
    contextId: approval.makerContextId,
    requestId: request.id,
  };
  switch (action.action) {
    case 'user.hard_delete': {
      const user = await em.findOne(User, { id: action.targetId, tenantId: approval.tenantId });
      if (!user) throw notFound('user');
      requireMaker(request, maker, 'users.hard_delete', { target: await targetUserFact(em, user) });
      const before = userAudit(user);
      const sessionIds = await revokeSessions(em, { userId: user.id }, 'user.hard_delete', now());
      em.remove(user);
      recordAudit(em, asMaker, { action: 'user.hard_delete', targetType: 'user', targetId: user.id, before, after: { approvalId: approval.id } });
      return [{ kind: 'user', id: user.id }, ...sessionIds.map((id) => ({ kind: 'session' as const, id }))];
    }
    case 'role.update': {
      const role = await em.findOne(Role, { id: action.targetId, tenantId: approval.tenantId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!role) throw notFound('role');
      if (role.version !== action.version) throw conflict('CONFLICT', 'the role changed after the request was made; make the request again');
      requireMaker(request, maker, 'roles.write', { role: await roleFact(em, role) });
      const { patch } = action;
      if (patch.acl) {
        const r = policy.roleCheck({ acl: patch.acl, actor_acl: maker.role?.acl ?? {} });
        if (r.over_ceiling.length > 0 || r.escalations.length > 0) {
          throw new ApiError(403, 'MAKER_NOT_PERMITTED', 'the maker may no longer grant this ACL', { modules: [...r.over_ceiling, ...r.escalations] });
        }
        if (r.sod_violations.length > 0) {
          throw new ApiError(422, 'SOD_VIOLATION', `the ACL holds both sides of: ${r.sod_violations.join(', ')}`, { pairs: r.sod_violations });
        }
      }
      const before = roleAudit(role);
      if (patch.acl) role.acl = patch.acl;
      if (patch.name !== undefined) role.name = patch.name;
      if (patch.description !== undefined) role.description = patch.description;
      if (patch.requireMfa !== undefined) role.requireMfa = patch.requireMfa;
      recordAudit(em, asMaker, { action: 'role.update', targetType: 'role', targetId: role.id, before, after: { ...roleAudit(role), approvalId: approval.id } });
      return [{ kind: 'role', id: role.id }];
    }
  }
}
