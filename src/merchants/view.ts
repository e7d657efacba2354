import { Type, type Static } from '@sinclair/typebox';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Email, EntityId, IdList, Nullable, Timestamp } from '../http/schemas.ts';
import { Reseller } from '../resellers/reseller.entity.ts';
import type { Merchant } from './merchant.entity.ts';

export const MerchantSettingsSchema = Type.Object(
  {
    mfaRequired: Type.Optional(Type.Boolean()),
    merchantTrack: Type.Optional(Type.String({ maxLength: 64 })),
    integrationTypes: Type.Optional(IdList(50)),
    industry: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

export const MerchantView = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  resellerId: Nullable(Type.String()),
  name: Type.String(),
  email: Type.String(),
  country: Type.String(),
  settings: MerchantSettingsSchema,
  platforms: Type.Array(Type.String()),
  products: Type.Array(Type.String()),
  /** Inherited, read-only: the reseller's payment gateways ([] for a merchant directly under the tenant). */
  gateways: Type.Array(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  version: Type.Integer(),
});

export type MerchantViewT = Static<typeof MerchantView>;

export const MerchantBasics = {
  id: EntityId,
  name: Type.String({ minLength: 1, maxLength: 200 }),
  email: Email,
  /** ISO 3166-1 alpha-2. */
  country: Type.String({ pattern: '^[A-Z]{2}$' }),
};

/** Views of merchants, with what they inherit from their resellers (one query for the lot). */
export async function merchantViews(em: EntityManager, merchants: Merchant[]): Promise<MerchantViewT[]> {
  const resellerIds = [...new Set(merchants.flatMap((m) => (m.resellerId ? [m.resellerId] : [])))];
  const resellers = resellerIds.length > 0 ? await em.find(Reseller, { id: { $in: resellerIds } }, { fields: ['id', 'gateways'] }) : [];
  const gateways = new Map(resellers.map((r) => [r.id, r.gateways]));
  return merchants.map((m) => ({
    id: m.id,
    tenantId: m.tenantId,
    resellerId: m.resellerId,
    name: m.name,
    email: m.email,
    country: m.country,
    settings: m.settings,
    platforms: m.platforms,
    products: m.products,
    gateways: (m.resellerId && gateways.get(m.resellerId)) || [],
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
    version: m.version,
  }));
}

export function merchantAudit(m: Merchant): Record<string, unknown> {
  const { resellerId, name, email, country, settings, platforms, products } = m;
  return { resellerId, name, email, country, settings, platforms, products };
}
