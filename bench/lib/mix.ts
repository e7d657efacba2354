// The realistic mix of issue 12: many users of every kind (tenant staff,
// reseller staff with merchant lists of every length, merchant users in their
// own merchant's context), ~30 merchants, and thousands of distinct requests
// over three modules with varied paths and query strings — all allowed, so
// every configuration answers 2xx and the gateway logs every decision at the
// defaults. The same list goes to every configuration (autocannon cycles
// through it per connection), so the bare proxy gets the same requests.
import { openSession } from '../../src/auth/sessions.ts';
import type { ControlPlaneDeps } from '../../src/context/deps.ts';
import type { Acl, ContextType } from '../../src/roles/role.entity.ts';
import { seedUser } from '../../test/support/seed.ts';
import type { World } from './stack.ts';

export interface MixRequest {
  path: string;
  headers: Record<string, string>;
}

export interface Mix {
  requests: MixRequest[];
  users: number;
  merchants: number;
}

/** Modules every role of the mix may read (the bench route table has one route per module). */
export const mixModules = ['orders', 'payments', 'refunds'] as const;
const mixAcl: Acl = { orders: 'RW', refunds: 'RW', payments: 'R', analytics: 'R', settings: 'NA', users: 'R', merchants: 'R' };

interface MixUser {
  token: string;
  /** Merchants it may name (its own for a merchant user). */
  merchants: string[];
}

async function user(deps: ControlPlaneDeps, world: World, type: ContextType, roleId: string, merchantsAccess: string[], merchantId: string | null, context: { type: ContextType; id: string }): Promise<MixUser> {
  const f = deps.orm.em.fork();
  const { id } = seedUser(f, { tenantId: world.tenantId, type, roleId, resellerId: type === 'RESELLER' ? world.resellerId : null, merchantId, merchantsAccess });
  await f.flush();
  const s = deps.orm.em.fork();
  const { tokens } = openSession(deps, s, { id, tenantId: world.tenantId }, context);
  await s.flush();
  return { token: tokens.accessToken, merchants: type === 'RESELLER' ? merchantsAccess : merchantId ? [merchantId] : world.merchants };
}

export async function seedMix(deps: ControlPlaneDeps, world: World, count = 4000): Promise<Mix> {
  const roles = {
    TENANT: await world.role(mixAcl, 'TENANT'),
    RESELLER: await world.role(mixAcl, 'RESELLER'),
    MERCHANT: await world.role(mixAcl, 'MERCHANT'),
  };
  const m = world.merchants;
  const users: MixUser[] = [];
  for (let i = 0; i < 8; i++) {
    users.push(await user(deps, world, 'TENANT', roles.TENANT, [], null, { type: 'TENANT', id: world.tenantId }));
    // Access lists of 1 to 29 merchants, starting at different merchants.
    const access = Array.from({ length: 1 + ((i * 4) % m.length) }, (_, k) => m[(i * 3 + k) % m.length]!);
    users.push(await user(deps, world, 'RESELLER', roles.RESELLER, access, null, { type: 'RESELLER', id: world.resellerId }));
    const own = m[(i * 7) % m.length]!;
    users.push(await user(deps, world, 'MERCHANT', roles.MERCHANT, [], own, { type: 'MERCHANT', id: own }));
  }
  const sorts = ['created', '-created', 'amount', '-amount', 'status'];
  const requests: MixRequest[] = [];
  for (let i = 0; i < count; i++) {
    const u = users[(i * 7) % users.length]!;
    const merchant = u.merchants[(i * 13) % u.merchants.length]!;
    const module = mixModules[i % mixModules.length]!;
    const path = i % 4 === 0
      ? `/${module}?page=${i % 50}&size=${10 + (i % 5) * 10}&sort=${sorts[i % sorts.length]}&from=2026-0${1 + (i % 9)}-01`
      : `/${module}/${(i * 7919) % 100_000}${i % 3 === 0 ? `/lines?expand=${i % 2 ? 'items' : 'totals'}` : `?v=${i}`}`;
    requests.push({ path, headers: { authorization: `Bearer ${u.token}`, 'x-merchant-id': merchant } });
  }
  return { requests, users: users.length, merchants: m.length };
}
