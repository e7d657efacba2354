// What a caller may see, as query filters. Objects outside scope answer 404,
// exactly like objects that do not exist, so scope never leaks existence.
import type { FilterQuery } from '@mikro-orm/core';
import type { Actor } from '../context/request-context.ts';
import type { ServiceContext } from '../context/service-context.ts';
import { notFound } from '../../core/http/errors.ts';
import { Merchant } from '../merchants/merchant.entity.ts';
import { User } from './user.entity.ts';

/**
 * Merchants the actor reaches in its current context:
 * TENANT ctx → the tenant's merchants (∩ merchant access when listed);
 * RESELLER ctx → that reseller's merchants (∩ access when listed);
 * MERCHANT ctx → that merchant only.
 */
export function merchantScope(actor: Actor): FilterQuery<Merchant> {
  const tenantId = actor.user.tenantId;
  const listed = actor.user.merchantsAccess;
  const byAccess = listed.length > 0 && actor.user.type !== 'MERCHANT' ? { id: { $in: listed } } : {};
  switch (actor.context.type) {
    case 'TENANT':
      return { tenantId, ...byAccess };
    case 'RESELLER':
      return { tenantId, resellerId: actor.context.id, ...byAccess };
    case 'MERCHANT':
      return { tenantId, id: actor.context.id };
  }
}

/**
 * Users the actor may see: TENANT ctx → every tenant, reseller and merchant
 * user of the tenant (merchant users only of reachable merchants when access
 * is listed); RESELLER ctx → the reseller's users and users of its merchants;
 * MERCHANT ctx → that merchant's users.
 */
export function userScope(actor: Actor): FilterQuery<User> {
  const tenantId = actor.user.tenantId;
  const listed = actor.user.type === 'MERCHANT' ? [] : actor.user.merchantsAccess;
  switch (actor.context.type) {
    case 'TENANT':
      return listed.length > 0
        ? { tenantId, $or: [{ type: { $in: ['TENANT', 'RESELLER'] } }, { merchantId: { $in: listed } }] }
        : { tenantId };
    case 'RESELLER':
      // Merchant users carry their merchant's reseller (see User.resellerId).
      return listed.length > 0
        ? { tenantId, resellerId: actor.context.id, $or: [{ type: 'RESELLER' }, { merchantId: { $in: listed } }] }
        : { tenantId, resellerId: actor.context.id };
    case 'MERCHANT':
      return { tenantId, type: 'MERCHANT', merchantId: actor.context.id };
  }
}

/** A user the actor may see, or 404 (read in `ctx.em`: a transaction's reads inside it). */
export async function findUserInScope({ em, actor }: Pick<ServiceContext, 'em' | 'actor'>, id: string): Promise<User> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('user');
  const user = await em.findOne(User, { $and: [{ id }, userScope(actor)] });
  if (!user) throw notFound('user');
  return user;
}

/** A merchant the actor reaches, or 404. */
export async function findMerchantInScope({ em, actor }: Pick<ServiceContext, 'em' | 'actor'>, id: string): Promise<Merchant> {
  const merchant = await em.findOne(Merchant, { $and: [{ id }, merchantScope(actor)] });
  if (!merchant) throw notFound('merchant');
  return merchant;
}
