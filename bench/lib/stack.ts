// The benchmark's world: a scratch database (`iam_bench_<random>`) and Redis
// key prefix (test/support/scratch.ts, as the test suites use), dropped at the end; the environment
// every child gets; and seeded data — a tenant with a reseller, its merchants,
// roles and ACTIVE users with tokens from real sessions: the tenant by the
// product's own bootstrap, the other rows by the test suites' seeding helpers
// (test/support/seed.ts), sessions by the product's openSession.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { createControlPlaneDeps, closeControlPlaneDeps } from '../../src/app/create-deps.ts';
import type { ControlPlaneDeps } from '../../src/context/deps.ts';
import { openSession } from '../../src/auth/sessions.ts';
import { loadConfig } from '../../src/config/env.ts';
import type { Acl, ContextType } from '../../src/roles/role.entity.ts';
import { bootstrapTenant } from '../../src/tenants/bootstrap.ts';
import { openScratch } from '../../test/support/scratch.ts';
import { rewrite, seedMerchant, seedReseller, seedRole, seedUser } from '../../test/support/seed.ts';

const adminUrl = process.env['BENCH_DATABASE_ADMIN_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export interface Stack {
  env: Record<string, string>;
  prefix: string;
  deps: ControlPlaneDeps;
  /** A Redis client on the bench's key prefix. */
  redis: Redis;
  close: () => Promise<void>;
}

export async function openStack(): Promise<Stack> {
  if (!existsSync('build/policy/policy.wasm')) throw new Error('no policy bundle in build/policy: run npm run policy:build');
  // The same scratch world the test suites run in (database, Redis prefix, mail folder, secrets).
  const scratch = await openScratch({ kind: 'bench', adminUrl, redisUrl });
  const { prefix } = scratch;
  let deps: ControlPlaneDeps | null = null;
  let redis: Redis | null = null;
  const close = async () => {
    if (deps) await closeControlPlaneDeps(deps).catch(() => undefined);
    redis?.disconnect();
    await scratch.drop();
  };

  try {
    const env: Record<string, string> = { ...scratch.env, NODE_ENV: 'production', LOG_LEVEL: 'warn' };
    deps = await createControlPlaneDeps(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
    redis = new Redis(redisUrl, { keyPrefix: prefix, lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    return { env, prefix, deps, redis, close };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}

/** The ACL of the benchmark's main role: what a reseller's operations staff typically holds. */
export const operationsAcl: Acl = {
  orders: 'RW', refunds: 'RW', payments: 'R', analytics: 'R', settings: 'NA', users: 'R', merchants: 'R',
};

export interface SeededUser {
  id: string;
  roleId: string;
  token: string;
  merchantsAccess: string[];
}

export interface World {
  tenantId: string;
  resellerId: string;
  merchants: string[];
  /** Tenant Admin token, for the control plane's admin routes. */
  adminToken: string;
  role: (acl: Acl, scope?: ContextType) => Promise<string>;
  user: (spec: { roleId: string; merchantsAccess: string[] }) => Promise<SeededUser>;
  /** A new session (and access token) for a user in its home reseller context. */
  token: (userId: string) => Promise<string>;
}

export async function seedWorld(deps: ControlPlaneDeps, merchantCount = 24): Promise<World> {
  const tenantId = `bench-${randomBytes(3).toString('hex')}`;
  const t = await bootstrapTenant(deps, { id: tenantId, name: 'Bench Bank', adminEmail: `admin@${tenantId}.test` });
  const em = deps.orm.em.fork();
  await rewrite.user(deps, t.admin.id, { status: 'ACTIVE' });
  const resellerId = `${tenantId}-north`;
  seedReseller(em, { id: resellerId, tenantId, name: 'North Resellers', email: `north@${tenantId}.test` });
  const merchants = Array.from({ length: merchantCount }, (_, i) => `${tenantId}-m${String(i).padStart(2, '0')}`);
  for (const id of merchants) seedMerchant(em, { id, tenantId, resellerId, name: `Merchant ${id}`, email: `${id}@${tenantId}.test` });
  await em.flush();

  const session = async (userId: string, context: { type: ContextType; id: string }) => {
    const f = deps.orm.em.fork();
    const { tokens } = openSession(deps, f, { id: userId, tenantId }, context);
    await f.flush();
    return tokens.accessToken;
  };

  return {
    tenantId,
    resellerId,
    merchants,
    adminToken: await session(t.admin.id, { type: 'TENANT', id: tenantId }),
    role: async (acl, scope = 'RESELLER') => {
      const f = deps.orm.em.fork();
      const { id } = seedRole(f, { tenantId, scope, acl });
      await f.flush();
      return id;
    },
    user: async ({ roleId, merchantsAccess }) => {
      const f = deps.orm.em.fork();
      const { id } = seedUser(f, { tenantId, type: 'RESELLER', roleId, resellerId, merchantsAccess });
      await f.flush();
      return { id, roleId, merchantsAccess, token: await session(id, { type: 'RESELLER', id: resellerId }) };
    },
    token: (userId) => session(userId, { type: 'RESELLER', id: resellerId }),
  };
}
