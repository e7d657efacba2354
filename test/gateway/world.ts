// Data for gateway tests, written straight to PostgreSQL with MikroORM (the
// control plane's admin routes are tested elsewhere): a tenant with a
// reseller, merchants, roles and ACTIVE users, and tokens from real sessions.
import { randomUUID } from 'node:crypto';
import type { ControlPlaneDeps } from '../../src/app/deps.ts';
import { Merchant } from '../../src/merchants/merchant.entity.ts';
import { Reseller } from '../../src/resellers/reseller.entity.ts';
import { Role, type Acl, type ContextType } from '../../src/roles/role.entity.ts';
import { User, type UserStatus } from '../../src/users/user.entity.ts';
import { newTenant, tokenFor, uniqueId } from '../support/fixtures.ts';

export interface UserSpec {
  acl?: Acl;
  roleId?: string;
  type?: ContextType;
  resellerId?: string;
  merchantId?: string;
  merchantsAccess?: string[];
  productIds?: string[];
  gatewayRefIds?: string[];
  status?: UserStatus;
}

export async function gatewayWorld(deps: ControlPlaneDeps) {
  const t = await newTenant(deps);
  const tenantId = t.tenant.id;
  const em = deps.orm.em.fork();
  const r1 = `${tenantId}-r1`;
  const m = { direct: `${tenantId}-m1`, underR1: `${tenantId}-m2`, other: `${tenantId}-m3` };
  em.persist(em.create(Reseller, { id: r1, tenantId, name: 'Reseller One', email: `r1@${tenantId}.test`, type: 'ISO' }));
  em.persist(em.create(Merchant, { id: m.direct, tenantId, name: 'Direct', email: `m1@${tenantId}.test`, country: 'NL' }));
  em.persist(em.create(Merchant, { id: m.underR1, tenantId, resellerId: r1, name: 'Under R1', email: `m2@${tenantId}.test`, country: 'NL' }));
  em.persist(em.create(Merchant, { id: m.other, tenantId, name: 'Other', email: `m3@${tenantId}.test`, country: 'DE' }));
  await em.flush();

  async function role(acl: Acl, scope: ContextType = 'TENANT', enabled = true): Promise<Role> {
    const f = deps.orm.em.fork();
    const r = f.create(Role, {
      id: randomUUID(), tenantId, name: uniqueId('role'), scope, ownerType: 'TENANT', ownerId: tenantId, acl, enabled,
    });
    await f.persist(r).flush();
    return r;
  }

  /** An ACTIVE user (unless `status` says otherwise) with a token in its home context (or `context`). */
  async function user(spec: UserSpec = {}, context?: { type: ContextType; id: string }) {
    const type = spec.type ?? 'TENANT';
    const roleId = spec.roleId ?? (await role(spec.acl ?? { orders: 'RW' }, type)).id;
    const f = deps.orm.em.fork();
    const u = f.create(User, {
      id: randomUUID(),
      tenantId,
      email: `${uniqueId('u')}@${tenantId}.test`,
      type,
      roleId,
      resellerId: spec.resellerId ?? (type === 'RESELLER' ? r1 : null),
      merchantId: spec.merchantId ?? null,
      merchantsAccess: spec.merchantsAccess ?? [],
      productIds: spec.productIds ?? [],
      gatewayRefIds: spec.gatewayRefIds ?? [],
      status: spec.status ?? 'ACTIVE',
    });
    await f.persist(u).flush();
    const token = await tokenFor(deps, u.id, context);
    return { id: u.id, roleId, token };
  }

  /** Direct writes, as the control plane's routes would make them (publishing is the caller's). */
  const update = {
    user: (id: string, set: Partial<Pick<User, 'status' | 'merchantsAccess' | 'productIds' | 'gatewayRefIds' | 'roleId'>>) =>
      deps.orm.em.fork().nativeUpdate(User, { id }, set),
    role: (id: string, set: Partial<Pick<Role, 'enabled' | 'acl'>>) => deps.orm.em.fork().nativeUpdate(Role, { id }, set),
  };

  return { tenant: t, tenantId, r1, m, role, user, update };
}

export type GatewayWorld = Awaited<ReturnType<typeof gatewayWorld>>;
