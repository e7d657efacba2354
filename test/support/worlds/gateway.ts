// Data for gateway tests, written straight to PostgreSQL (test/support/seed.ts;
// the control plane's admin routes are tested elsewhere): a tenant with a
// reseller, merchants, roles and ACTIVE users, and tokens from real sessions.
import type { ControlPlaneDeps } from '../../../src/context/deps.ts';
import type { Acl, ContextType, Role } from '../../../src/roles/role.entity.ts';
import type { UserStatus } from '../../../src/users/user.entity.ts';
import { newTenant, tokenFor, uniqueId } from '../fixtures.ts';
import { rewrite, seedMerchant, seedReseller, seedRole, seedUser } from '../seed.ts';

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
  seedReseller(em, { id: r1, tenantId, name: 'Reseller One', email: `r1@${tenantId}.test` });
  seedMerchant(em, { id: m.direct, tenantId, name: 'Direct', email: `m1@${tenantId}.test` });
  seedMerchant(em, { id: m.underR1, tenantId, resellerId: r1, name: 'Under R1', email: `m2@${tenantId}.test` });
  seedMerchant(em, { id: m.other, tenantId, name: 'Other', email: `m3@${tenantId}.test`, country: 'DE' });
  await em.flush();

  async function role(acl: Acl, scope: ContextType = 'TENANT', enabled = true): Promise<Role> {
    const f = deps.orm.em.fork();
    const r = seedRole(f, { tenantId, acl, scope, enabled });
    await f.flush();
    return r;
  }

  /** An ACTIVE user (unless `status` says otherwise) with a token in its home context (or `context`). */
  async function user(spec: UserSpec = {}, context?: { type: ContextType; id: string }) {
    const type = spec.type ?? 'TENANT';
    const roleId = spec.roleId ?? (await role(spec.acl ?? { orders: 'RW' }, type)).id;
    const f = deps.orm.em.fork();
    const u = seedUser(f, { ...spec, tenantId, email: `${uniqueId('u')}@${tenantId}.test`, type, roleId, resellerId: spec.resellerId ?? (type === 'RESELLER' ? r1 : null) });
    await f.flush();
    const token = await tokenFor(deps, u.id, context);
    return { id: u.id, roleId, token };
  }

  /** Direct writes, as the control plane's routes would make them (publishing is the caller's). */
  const update = {
    user: (id: string, set: Parameters<typeof rewrite.user>[2]) => rewrite.user(deps, id, set),
    role: (id: string, set: Parameters<typeof rewrite.role>[2]) => rewrite.role(deps, id, set),
  };

  return { tenant: t, tenantId, r1, m, role, user, update };
}

export type GatewayWorld = Awaited<ReturnType<typeof gatewayWorld>>;
