// Whether a role may be given to a user (on invite and on role change).
import { LockMode } from '@mikro-orm/core';
import type { ServiceContext } from '../context/service-context.ts';
import { badRequest, conflict } from '../../core/http/errors.ts';
import type { User } from '../users/user.entity.ts';
import { checkWithinActor } from './acl.ts';
import type { Role } from './role.entity.ts';
import { findRoleInScope } from './scope.ts';

export type Assignee = Pick<User, 'type' | 'resellerId' | 'merchantId'>;

/**
 * The role, if the caller sees it (else 404), its scope is the user's type
 * and its owner is the user's tenant, reseller or merchant (else 400), it is
 * enabled (else 409) and grants no more than the caller holds (else 403).
 * The row is share-locked in `ctx.em`'s transaction, so a concurrent disable
 * or delete waits for it.
 */
export async function assignableRole(ctx: ServiceContext, roleId: string, user: Assignee): Promise<Role> {
  const role = await findRoleInScope(ctx, roleId, { lockMode: LockMode.PESSIMISTIC_READ });
  if (role.scope !== user.type) throw badRequest(`a ${role.scope} role cannot be given to a ${user.type} user`);
  if (!ownerCovers(role, user)) throw badRequest(`the role belongs to ${role.ownerType.toLowerCase()} ${role.ownerId}, not to this user's`);
  if (!role.enabled) throw conflict('CONFLICT', 'the role is disabled and cannot be assigned');
  checkWithinActor(ctx, role.acl);
  return role;
}

function ownerCovers(role: Role, user: Assignee): boolean {
  switch (role.ownerType) {
    case 'TENANT':
      return true;
    case 'RESELLER':
      return role.ownerId === user.resellerId;
    case 'MERCHANT':
      return role.ownerId === user.merchantId;
  }
}
