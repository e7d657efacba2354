// Resellers a caller sees: every reseller of the tenant in TENANT context,
// only its own in RESELLER context, none in MERCHANT context.
import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../app/request-context.ts';
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

/** A reseller the caller sees, or 404. */
export async function findResellerInScope(request: FastifyRequest, id: string, em: EntityManager = request.em): Promise<Reseller> {
  const reseller = await em.findOne(Reseller, { $and: [{ id }, resellerScope(request.actor)] });
  if (!reseller) throw notFound('reseller');
  return reseller;
}
