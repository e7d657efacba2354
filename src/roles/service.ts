// The roles capability's services (docs/domain.md#roles): what the routes in
// routes.ts call, and what an approved role edit or enable runs again as its
// maker (approvals/control-plane-execute.ts). Every ACL set, and every role changed,
// assigned or cloned, grants no more than the actor holds (PRIVILEGE_ESCALATION).
import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ServiceContext } from '../context/service-context.ts';
import { effectiveAcl, holdIfRaised, orHold, raisedModules } from '../approvals/level-raise.ts';
import type { Approval } from '../approvals/approval.entity.ts';
import { auditActor, authorize } from '../auth/authorize.ts';
import { recordAudit } from '../audit/record.ts';
import type { RolePatch } from '../../core/approvals/stored-request.ts';
import { conflict } from '../../core/http/errors.ts';
import { checkAcl, checkWithinActor } from './acl.ts';
import { changeRole, type RoleChange } from './change.ts';
import { holdersCount, namesStartingWith, usersWithRole } from './queries.ts';
import { Role, type Acl, type ContextType } from './role.entity.ts';
import { findRoleInScope } from './scope.ts';
import { roleAudit } from './view.ts';

export interface NewRole {
  name: string;
  description?: string;
  scope: ContextType;
  acl: Acl;
  requireMfa?: boolean;
}

/** A role owned by the actor's context. */
export async function createRole(ctx: ServiceContext, input: NewRole): Promise<Role> {
  authorize(ctx, `roles.create.${input.scope}`);
  checkAcl(ctx, input.acl);
  const { context, user } = ctx.actor;
  return ctx.em.transactional(async (em) => {
    const role = em.create(Role, {
      id: randomUUID(),
      tenantId: user.tenantId,
      name: input.name,
      description: input.description ?? '',
      scope: input.scope,
      ownerType: context.type,
      ownerId: context.id,
      acl: input.acl,
      enabled: true,
      system: false,
      requireMfa: input.requireMfa ?? false,
    });
    em.persist(role);
    recordAudit(em, auditActor(ctx), { action: 'role.create', targetType: 'role', targetId: role.id, after: roleAudit(role) });
    return role;
  });
}

/** A visible role copied as "<name> - Copy", enabled, owned by the actor's context. */
export async function cloneRole(ctx: ServiceContext, id: string): Promise<Role> {
  authorize(ctx, 'roles.read');
  const source = await findRoleInScope(ctx, id);
  authorize(ctx, `roles.create.${source.scope}`);
  checkAcl(ctx, source.acl);
  const { context, user } = ctx.actor;
  const owner = { tenantId: user.tenantId, ownerType: context.type, ownerId: context.id };
  return retryOnNameTaken(() => ctx.em.transactional(async (em) => {
    const role = em.create(Role, {
      ...owner,
      id: randomUUID(),
      name: await cloneName(em, owner, source.name),
      description: source.description,
      scope: source.scope,
      acl: source.acl,
      enabled: true,
      system: false,
      requireMfa: source.requireMfa,
    });
    em.persist(role);
    recordAudit(em, auditActor(ctx), {
      action: 'role.clone',
      targetType: 'role',
      targetId: role.id,
      after: { ...roleAudit(role), clonedFrom: source.id },
    });
    return role;
  }));
}

/** "<name> - Copy", or "<name> - Copy 2", … when the context already owns that name. */
async function cloneName(em: EntityManager, owner: Pick<Role, 'tenantId' | 'ownerType' | 'ownerId'>, name: string): Promise<string> {
  const base = `${name} - Copy`;
  const taken = await namesStartingWith(em, owner, base);
  let candidate = base;
  for (let n = 2; taken.has(candidate); n++) candidate = `${base} ${n}`;
  return candidate;
}

/**
 * Two clones of one role into one context at the same moment pick the same
 * free "<name> - Copy" and one insert fails on the unique name: it takes the
 * next free name instead of answering 409 for a request that did nothing wrong.
 */
async function retryOnNameTaken<T>(attempt: () => Promise<T>, tries = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException) || i >= tries) throw err;
    }
  }
}

/**
 * An edit of the locked role. With `version`, a role changed since answers
 * 409. A raise is held for a checker when the tenant requires one, unless
 * the edit is the approved one (`approvalId`), which acts.
 */
export function roleEdit(patch: RolePatch, opts: { version?: number; approvalId?: string } = {}): RoleChange {
  const { acl, name, description, requireMfa } = patch;
  return {
    operation: 'roles.write',
    action: 'role.update',
    ...(opts.approvalId !== undefined && { approvalId: opts.approvalId }),
    apply: async (tx, r) => {
      if (opts.version !== undefined && opts.version !== r.version) throw conflict('CONFLICT', 'the role was changed by someone else; reload and retry');
      if (acl) checkAcl(tx, acl);
      else checkWithinActor(tx, r.acl);
      if (acl) {
        if (opts.approvalId === undefined) {
          // Decided on the row as locked by applyRoleChange, not on an earlier read.
          await holdIfRaised(tx, raisedModules(tx, r.acl, acl), (raised) => ({
            merchantId: r.ownerType === 'MERCHANT' ? r.ownerId : null,
            request: { action: 'role.update', targetId: r.id, version: r.version, patch: { ...patch, acl }, raised },
          }));
        }
        r.acl = acl;
      }
      if (name !== undefined) r.name = name;
      if (description !== undefined) r.description = description;
      if (requireMfa !== undefined) r.requireMfa = requireMfa;
    },
  };
}

/** Enabling or disabling the locked role; enabling one with holders may be held (not when approved). */
export function roleToggle(enabled: boolean, opts: { approvalId?: string } = {}): RoleChange {
  const name = enabled ? 'enable' : 'disable';
  return {
    operation: enabled ? 'roles.write' : 'roles.disable',
    action: `role.${name}`,
    ...(opts.approvalId !== undefined && { approvalId: opts.approvalId }),
    apply: async (tx, r) => {
      if (r.enabled === enabled) throw conflict('CONFLICT', `the role is already ${name}d`);
      checkWithinActor(tx, r.acl);
      // Holders of a disabled role can do nothing; enabling gives them its ACL. Assignments
      // share-lock the role, so the holders counted here are the ones it will reach.
      if (enabled && opts.approvalId === undefined && (await holdersCount(tx.em, r.id)) > 0) {
        await holdIfRaised(tx, raisedModules(tx, effectiveAcl(null), r.acl), (raised) => ({
          merchantId: r.ownerType === 'MERCHANT' ? r.ownerId : null,
          request: { action: 'role.enable', targetId: r.id, version: r.version, raised },
        }));
      }
      r.enabled = enabled;
    },
  };
}

/** Deleting the locked role: only when nobody holds it, not even a soft-deleted user. */
const roleDeletion: RoleChange = {
  operation: 'roles.write',
  action: 'role.delete',
  remove: true,
  apply: async (tx, r) => {
    checkWithinActor(tx, r.acl);
    const holders = await holdersCount(tx.em, r.id);
    if (holders > 0) throw conflict('ROLE_HAS_ACTIVE_USERS', `${holders} user(s) hold this role; give them another role first`);
    if ((await usersWithRole(tx.em, r.id)) > 0) {
      throw conflict('CONFLICT', 'soft-deleted users still hold this role; give them another role or hard delete them first');
    }
  },
};

export function updateRole(ctx: ServiceContext, id: string, patch: RolePatch, version?: number): Promise<{ done: Role } | { pending: Approval }> {
  return orHold(ctx, () => changeRole(ctx, id, roleEdit(patch, version !== undefined ? { version } : {})));
}

export function setRoleEnabled(ctx: ServiceContext, id: string, enabled: boolean): Promise<{ done: Role } | { pending: Approval }> {
  return orHold(ctx, () => changeRole(ctx, id, roleToggle(enabled)));
}

export async function deleteRole(ctx: ServiceContext, id: string): Promise<void> {
  await changeRole(ctx, id, roleDeletion);
}
