// Which roles a caller sees, as a query filter (out of scope reads as 404):
//   TENANT ctx   → every role of the tenant (merchant-owned ones only of
//                  listed merchants when the caller's access is a list);
//   RESELLER ctx → roles the tenant defined for reseller or merchant users,
//                  the reseller's own, and those of its merchants;
//   MERCHANT ctx → roles the tenant or the merchant's reseller defined for
//                  merchant users, and the merchant's own.
// Seeing is not managing: the policy allows writes only on roles owned by the
// context or an entity below it, and never on system roles.
import { raw, type FilterQuery, type FindOneOptions } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../context/request-context.ts';
import type { ServiceContext } from '../context/service-context.ts';
import { notFound } from '../../core/http/errors.ts';
import { Merchant } from '../merchants/merchant.entity.ts';
import type { TargetRoleInput } from '../../core/policy/types.ts';
import { Role } from './role.entity.ts';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function roleScope(actor: Actor, em: EntityManager): Promise<FilterQuery<Role>> {
  const { user, context } = actor;
  const tenantId = user.tenantId;
  const listed = user.type === 'MERCHANT' ? [] : user.merchantsAccess;
  switch (context.type) {
    case 'TENANT':
      return listed.length > 0
        ? { tenantId, $or: [{ ownerType: { $in: ['TENANT', 'RESELLER'] } }, { ownerType: 'MERCHANT', ownerId: { $in: listed } }] }
        : { tenantId };
    case 'RESELLER': {
      const ofItsMerchants: FilterQuery<Role> = {
        ownerType: 'MERCHANT',
        [raw((a: string) => `${a}.owner_id in (select m.id from merchants m where m.tenant_id = ? and m.reseller_id = ?)`, [tenantId, context.id])]: [],
        ...(listed.length > 0 ? { ownerId: { $in: listed } } : {}),
      };
      return {
        tenantId,
        $or: [{ ownerType: 'TENANT', scope: { $in: ['RESELLER', 'MERCHANT'] } }, { ownerType: 'RESELLER', ownerId: context.id }, ofItsMerchants],
      };
    }
    case 'MERCHANT': {
      const merchant = await em.findOne(Merchant, { id: context.id, tenantId }, { fields: ['resellerId'] });
      const branches: FilterQuery<Role>[] = [{ ownerType: 'TENANT', scope: 'MERCHANT' }, { ownerType: 'MERCHANT', ownerId: context.id }];
      if (merchant?.resellerId) branches.push({ ownerType: 'RESELLER', ownerId: merchant.resellerId, scope: 'MERCHANT' });
      return { tenantId, $or: branches };
    }
  }
}

/** A role the caller sees, or 404 (read in `ctx.em`: pass a transaction's to lock it there). */
export async function findRoleInScope(
  { em, actor }: Pick<ServiceContext, 'em' | 'actor'>,
  id: string,
  options: FindOneOptions<Role> = {},
): Promise<Role> {
  if (!uuid.test(id)) throw notFound('role');
  const role = await em.findOne(Role, { $and: [{ id }, await roleScope(actor, em)] }, options);
  if (!role) throw notFound('role');
  return role;
}

/** The policy's view of a role being changed (policies/authz/admin_targets.rego). */
export async function roleFact(em: EntityManager, role: Role): Promise<TargetRoleInput> {
  let ownerResellerId = '';
  if (role.ownerType === 'MERCHANT') {
    const owner = await em.findOne(Merchant, { id: role.ownerId, tenantId: role.tenantId }, { fields: ['resellerId'] });
    ownerResellerId = owner?.resellerId ?? '';
  }
  return {
    id: role.id,
    tenant_id: role.tenantId,
    system: role.system,
    owner_type: role.ownerType,
    owner_id: role.ownerId,
    owner_reseller_id: ownerResellerId,
    acl: role.acl,
  };
}
