// Resellers a caller sees: every reseller of the tenant in TENANT context,
// only its own in RESELLER context, none in MERCHANT context.
import type { FilterQuery } from '@mikro-orm/core';
import type { Actor } from '../context/request-context.ts';
import type { ServiceContext } from '../context/service-context.ts';
import { notFound } from '../../core/http/errors.ts';
import { Reseller } from './reseller.entity.ts';

export function resellerScope(actor: Actor): FilterQuery<Reseller> {
  const tenantId = actor.user.tenantId;
  switch (actor.context.type) {
    case 'TENANT':
      return { tenantId };
    case 'RESELLER':
      return { tenantId, id: actor.context.id };
    case 'MERCHANT':
      return { tenantId, id: { $in: [] } };
  }
}

/** A reseller the actor sees, or 404 (read in `ctx.em`: a transaction's reads inside it). */
export async function findResellerInScope({ em, actor }: Pick<ServiceContext, 'em' | 'actor'>, id: string): Promise<Reseller> {
  const reseller = await em.findOne(Reseller, { $and: [{ id }, resellerScope(actor)] });
  if (!reseller) throw notFound('reseller');
  return reseller;
}
