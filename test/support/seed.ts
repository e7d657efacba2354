// Rows written straight to PostgreSQL with MikroORM, for suites whose subject
// is not the administration API (the gateway, the attacks): resellers,
// merchants, roles and users with the defaults a test does not care about.
// Each `seed*` adds its row to `em`'s unit of work; the caller flushes, so a
// world of many rows is one round trip. The administration suites create
// their rows over HTTP instead (test/support/worlds/admin.ts). The benchmark seeds its
// world with these too (bench/lib/stack.ts).
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ControlPlaneDeps } from '../../src/context/deps.ts';
import { Merchant, type MerchantSettings } from '../../src/merchants/merchant.entity.ts';
import { Reseller } from '../../src/resellers/reseller.entity.ts';
import { Role, type Acl, type ContextType } from '../../src/roles/role.entity.ts';
import type { SecuritySettings } from '../../src/security/settings.ts';
import { User, type UserStatus } from '../../src/users/user.entity.ts';
import { uniqueId } from './fixtures.ts';

export function seedReseller(
  em: EntityManager,
  r: { id: string; tenantId: string; name?: string; email?: string; security?: SecuritySettings },
): Reseller {
  const row = em.create(Reseller, { name: `Reseller ${r.id}`, email: `${r.id}@resellers.test`, type: 'ISO', ...r });
  em.persist(row);
  return row;
}

export function seedMerchant(
  em: EntityManager,
  m: { id: string; tenantId: string; resellerId?: string | null; name?: string; email?: string; country?: string; settings?: MerchantSettings },
): Merchant {
  const row = em.create(Merchant, { name: `Shop ${m.id}`, email: `${m.id}@shops.test`, country: 'NL', ...m, resellerId: m.resellerId ?? null });
  em.persist(row);
  return row;
}

/** A role owned by its tenant unless `owner` says otherwise; scope TENANT, enabled, not a system role by default. */
export function seedRole(
  em: EntityManager,
  r: { tenantId: string; acl: Acl; scope?: ContextType; owner?: { type: ContextType; id: string }; enabled?: boolean; name?: string },
): Role {
  const owner = r.owner ?? { type: 'TENANT', id: r.tenantId };
  const row = em.create(Role, {
    id: randomUUID(),
    tenantId: r.tenantId,
    name: r.name ?? uniqueId('role'),
    scope: r.scope ?? 'TENANT',
    ownerType: owner.type,
    ownerId: owner.id,
    acl: r.acl,
    enabled: r.enabled ?? true,
    system: false,
  });
  em.persist(row);
  return row;
}

export interface SeedUser {
  tenantId: string;
  roleId: string;
  type?: ContextType;
  email?: string;
  resellerId?: string | null;
  merchantId?: string | null;
  merchantsAccess?: string[];
  productIds?: string[];
  gatewayRefIds?: string[];
  status?: UserStatus;
}

/** A user (ACTIVE, TENANT type, unrestricted by default) without a password: tests hand it a token (fixtures.ts tokenFor). */
export function seedUser(em: EntityManager, u: SeedUser): User {
  const row = em.create(User, {
    id: randomUUID(),
    tenantId: u.tenantId,
    email: u.email ?? `${uniqueId('u')}@users.test`,
    type: u.type ?? 'TENANT',
    roleId: u.roleId,
    resellerId: u.resellerId ?? null,
    merchantId: u.merchantId ?? null,
    merchantsAccess: u.merchantsAccess ?? [],
    productIds: u.productIds ?? [],
    gatewayRefIds: u.gatewayRefIds ?? [],
    status: u.status ?? 'ACTIVE',
  });
  em.persist(row);
  return row;
}

/** Direct writes behind the API's back, as a route would make them (announcing them is the caller's). */
export const rewrite = {
  user: (deps: ControlPlaneDeps, id: string, set: Partial<Pick<User, 'status' | 'merchantsAccess' | 'productIds' | 'gatewayRefIds' | 'roleId'>>) =>
    deps.orm.em.fork().nativeUpdate(User, { id }, set),
  role: (deps: ControlPlaneDeps, id: string, set: Partial<Pick<Role, 'enabled' | 'acl' | 'requireMfa'>>) => deps.orm.em.fork().nativeUpdate(Role, { id }, set),
};
