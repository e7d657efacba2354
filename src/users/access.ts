// What a user may do: its role, merchant access and product/gateway
// restrictions (the services behind access-routes.ts). Nobody changes their own.
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ServiceContext } from '../context/service-context.ts';
import { effectiveAcl, holdIfRaised, orHold, raisedModules } from '../approvals/level-raise.ts';
import type { Approval } from '../approvals/approval.entity.ts';
import { authorizeWith } from '../auth/authorize.ts';
import { conflict } from '../../core/http/errors.ts';
import { assignableRole } from '../roles/assignment.ts';
import { Role } from '../roles/role.entity.ts';
import { changeUser, type UserChange } from './change.ts';
import { checkMerchantGrant } from './merchant-grant.ts';
import type { User } from './user.entity.ts';

const sameSet = (a: string[], b: string[]) => a.length === b.length && new Set([...a, ...b]).size === a.length;

/** The user's current role, with the user row locked for update and the role share-locked; null if it is gone. */
async function currentRoleLocked(em: EntityManager, user: User): Promise<Role | null> {
  const rows = await em.getConnection().execute<{ role_id: string }[]>(
    'select role_id from users where id = ? for update',
    [user.id],
    'all',
    em.getTransactionContext(),
  );
  if (rows[0]?.role_id !== user.roleId) throw conflict('CONFLICT', 'the user was changed by someone else; reload and retry');
  return em.findOne(Role, { id: user.roleId, tenantId: user.tenantId }, { lockMode: LockMode.PESSIMISTIC_READ });
}

function notDeleted(user: User): void {
  if (user.status === 'SOFT_DEL') throw conflict('USER_NOT_ACTIVE', 'the user is deleted; restore it first');
}

/**
 * Giving the user another role; its sessions end. A raise is held for a
 * checker when the tenant requires one, unless this is the approved change
 * (`approvalId`), which acts.
 */
export function roleAssignment(roleId: string, opts: { approvalId?: string } = {}): UserChange {
  return {
    operation: 'users.update',
    action: 'user.role.update',
    endSessions: true,
    ...(opts.approvalId !== undefined && { approvalId: opts.approvalId }),
    apply: async (tx, u) => {
      notDeleted(u);
      if (u.roleId === roleId) throw conflict('CONFLICT', 'the user already has this role');
      const role = await assignableRole(tx, roleId, u);
      // The raise is decided under the user's row lock and a share lock on its current role.
      const current = await currentRoleLocked(tx.em, u);
      if (opts.approvalId === undefined) {
        await holdIfRaised(tx, raisedModules(tx, effectiveAcl(current), role.acl), (raised) => ({
          merchantId: u.merchantId,
          request: { action: 'user.role.update', targetId: u.id, roleId: role.id, fromRoleId: u.roleId, raised },
        }));
      }
      u.roleId = role.id;
    },
  };
}

export function changeUserRole(ctx: ServiceContext, id: string, roleId: string): Promise<{ done: User } | { pending: Approval }> {
  return orHold(ctx, () => changeUser(ctx, id, roleAssignment(roleId)));
}

/** Replaces the user's merchant access ([] = every merchant of its home scope). */
export function changeMerchantAccess(ctx: ServiceContext, id: string, wanted: string[]): Promise<User> {
  const operation = 'users.merchant_access.update';
  return changeUser(ctx, id, {
    operation,
    action: 'user.merchant_access.update',
    apply: async (tx, u) => {
      if (u.status !== 'ACTIVE') throw conflict('USER_NOT_ACTIVE', 'merchant access changes only for an ACTIVE user');
      if (sameSet(u.merchantsAccess, wanted)) throw conflict('MERCHANT_ACCESS_UNCHANGED', 'the user already has exactly this access');
      await checkMerchantGrant(tx, operation, u, wanted);
      u.merchantsAccess = wanted;
    },
  });
}

/** Replaces the user's product and gateway restrictions ([] = unrestricted). */
export function changeRestrictions(ctx: ServiceContext, id: string, productIds: string[], gatewayRefIds: string[]): Promise<User> {
  const operation = 'users.update';
  return changeUser(ctx, id, {
    operation,
    action: 'user.restrictions.update',
    apply: (tx, u) => {
      notDeleted(u);
      if (sameSet(u.productIds, productIds) && sameSet(u.gatewayRefIds, gatewayRefIds)) {
        throw conflict('CONFLICT', 'the user already has exactly these restrictions');
      }
      authorizeWith(tx, operation, { restrictions: { productIds, gatewayRefIds } });
      u.productIds = productIds;
      u.gatewayRefIds = gatewayRefIds;
    },
  });
}
