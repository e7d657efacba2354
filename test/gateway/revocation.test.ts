// Changes to access take effect at once on every gateway: two gateway
// instances (each with its own caches and Redis connections) warm their
// caches, the change is committed to PostgreSQL and published on the real
// Redis channel exactly as the control plane does, and the next request
// through EITHER gateway is denied. The only wait is for the message to be
// applied; the measured propagation time is printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announceRevoked, revokeSessions } from '../../src/auth/sessions.ts';
import type { AuthzChange } from '../../core/changes/authz-changes.ts';
import { generationKey, recordKey } from '../../core/principal/cache-keys.ts';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane.ts';
import { startGateway, type RunningGateway } from '../support/gateway.ts';
import { client } from '../support/http.ts';
import { startUpstream, type RunningUpstream } from '../support/upstream.ts';
import { gatewayWorld, type GatewayWorld } from '../support/worlds/gateway.ts';

let cp: RunningControlPlane;
let upstream: RunningUpstream;
let gateways: RunningGateway[];
let world: GatewayWorld;
const propagation: { change: string; gateway: number; ms: number }[] = [];

beforeAll(async () => {
  cp = await startControlPlane();
  upstream = await startUpstream();
  const start = () =>
    startGateway({
      routes: 'test/gateway/routes.yaml',
      upstreams: { 'http://upstream.test:1': upstream.url },
      env: { CONTROL_PLANE_URL: cp.url },
    });
  gateways = await Promise.all([start(), start()]);
  world = await gatewayWorld(cp.deps);
});

afterAll(async () => {
  if (propagation.length > 0) {
    const ms = propagation.map((p) => p.ms).sort((a, b) => a - b);
    console.log(
      `authz change propagation (publish → evicted on each gateway), ${ms.length} samples: ` +
        `min ${ms[0]!.toFixed(2)} ms, median ${ms[Math.floor(ms.length / 2)]!.toFixed(2)} ms, max ${ms.at(-1)!.toFixed(2)} ms\n` +
        propagation.map((p) => `  ${p.change} → gateway ${p.gateway}: ${p.ms.toFixed(2)} ms`).join('\n'),
    );
  }
  await Promise.all((gateways ?? []).map((g) => g.close()));
  await upstream?.close();
  await cp?.close();
});

/** The status (and code) of the same request through every gateway. */
async function through(token: string, path: string, headers: Record<string, string> = {}, method: 'GET' | 'POST' = 'GET') {
  return Promise.all(
    gateways.map(async (g) => {
      const api = client(g.url, token);
      const res = method === 'GET' ? await api.get(path, headers) : await api.post(path, '{}', headers);
      return res.status === 200 ? 200 : `${res.status} ${res.body?.code}`;
    }),
  );
}

/**
 * Commits `write`, then publishes like the control plane (after commit) and
 * waits until every gateway has applied the change — no other wait.
 */
async function change(name: string, changes: Omit<AuthzChange, 'at'>[], write: () => Promise<unknown>, publish?: () => Promise<void>) {
  const applied = gateways.map((g) => Promise.all(changes.map((c) => g.applied(c.kind, c.id))));
  await write();
  const t0 = performance.now();
  await (publish ? publish() : cp.deps.changes.publish(changes));
  const at = await Promise.all(applied);
  at.forEach((times, i) => propagation.push({ change: name, gateway: i + 1, ms: Math.max(...times) - t0 }));
}

describe('revocation reaches every gateway at once', () => {
  it('disabling a user denies its next request on both gateways; enabling restores it', async () => {
    const u = await world.user({ acl: { orders: 'RW' } });
    const h = { 'x-merchant-id': world.m.direct };
    expect(await through(u.token, '/orders', h)).toEqual([200, 200]);
    expect(await through(u.token, '/orders', h)).toEqual([200, 200]); // served from the LRU now

    await change('user disabled', [{ kind: 'user', id: u.id }], () => world.update.user(u.id, { status: 'DISABLED' }));
    expect(await through(u.token, '/orders', h)).toEqual(['403 USER_DISABLED', '403 USER_DISABLED']);

    await change('user enabled', [{ kind: 'user', id: u.id }], () => world.update.user(u.id, { status: 'ACTIVE' }));
    expect(await through(u.token, '/orders', h)).toEqual([200, 200]);
  });

  it('disabling a role denies every holder at once; one role record, not one per holder', async () => {
    const role = await world.role({ orders: 'RW' });
    const a = await world.user({ roleId: role.id });
    const b = await world.user({ roleId: role.id });
    expect([...(await through(a.token, '/orders')), ...(await through(b.token, '/orders'))]).toEqual([200, 200, 200, 200]);

    await change('role disabled', [{ kind: 'role', id: role.id }], () => world.update.role(role.id, { enabled: false }));
    expect([...(await through(a.token, '/orders')), ...(await through(b.token, '/orders'))]).toEqual(
      Array(4).fill('403 ROLE_DISABLED'),
    );

    await change('role enabled', [{ kind: 'role', id: role.id }], () => world.update.role(role.id, { enabled: true }));
    expect(await through(a.token, '/orders')).toEqual([200, 200]);
  });

  it('editing a role changes its holders’ permissions at once', async () => {
    const role = await world.role({ orders: 'RW', analytics: 'NA' });
    const u = await world.user({ roleId: role.id });
    expect(await through(u.token, '/orders', {}, 'POST')).toEqual([200, 200]);
    expect(await through(u.token, '/analytics/daily')).toEqual(['403 INSUFFICIENT_PERMISSION', '403 INSUFFICIENT_PERMISSION']);

    await change('role edited', [{ kind: 'role', id: role.id }], () =>
      world.update.role(role.id, { acl: { orders: 'R', analytics: 'R' } }),
    );
    expect(await through(u.token, '/orders', {}, 'POST')).toEqual(['403 INSUFFICIENT_PERMISSION', '403 INSUFFICIENT_PERMISSION']);
    expect(await through(u.token, '/orders')).toEqual([200, 200]);
    expect(await through(u.token, '/analytics/daily')).toEqual([200, 200]);
  });

  it('removing a merchant from a user’s access denies that merchant at once', async () => {
    const u = await world.user({ acl: { orders: 'RW' }, merchantsAccess: [world.m.direct, world.m.other] });
    const m1 = { 'x-merchant-id': world.m.direct };
    const m3 = { 'x-merchant-id': world.m.other };
    expect(await through(u.token, '/orders', m1)).toEqual([200, 200]);

    await change('merchant access removed', [{ kind: 'user', id: u.id }], () =>
      world.update.user(u.id, { merchantsAccess: [world.m.other] }),
    );
    expect(await through(u.token, '/orders', m1)).toEqual(['403 MERCHANT_ACCESS_DENIED', '403 MERCHANT_ACCESS_DENIED']);
    expect(await through(u.token, '/orders', m3)).toEqual([200, 200]);
  });

  it('changing restrictions applies at once', async () => {
    const u = await world.user({ acl: { orders: 'RW' } });
    const h = { 'x-merchant-id': world.m.direct, 'x-product-id': 'p2' };
    expect(await through(u.token, '/orders', h)).toEqual([200, 200]);
    await change('restrictions set', [{ kind: 'user', id: u.id }], () => world.update.user(u.id, { productIds: ['p1'] }));
    expect(await through(u.token, '/orders', h)).toEqual(['403 PRODUCT_RESTRICTED', '403 PRODUCT_RESTRICTED']);
  });

  it('revoking sessions kills every token of the user on every gateway at once', async () => {
    const u = await world.user({ acl: { orders: 'RW' } });
    const second = await (await import('../support/fixtures.ts')).tokenFor(cp.deps, u.id);
    expect([...(await through(u.token, '/orders')), ...(await through(second, '/orders'))]).toEqual([200, 200, 200, 200]);

    const em = cp.deps.orm.em.fork();
    let ids: string[] = [];
    await em.transactional(async (tx) => {
      ids = await revokeSessions(tx, { userId: u.id }, 'compromised', new Date());
    });
    expect(ids).toHaveLength(2);
    // announceRevoked is what the control plane calls after commit.
    await change('sessions revoked', ids.map((id) => ({ kind: 'session' as const, id })), async () => undefined, () =>
      announceRevoked(cp.deps, ids),
    );
    expect([...(await through(u.token, '/orders')), ...(await through(second, '/orders'))]).toEqual(
      Array(4).fill('403 SESSION_REVOKED'),
    );
  });
});

describe('through the control plane’s own routes', () => {
  it('an admin disabling a user and editing a role over HTTP denies at both gateways at once', async () => {
    const { activate, tokenFor } = await import('../support/fixtures.ts');
    await activate(cp.deps, world.tenant.admin.id);
    const admin = client(cp.url, await tokenFor(cp.deps, world.tenant.admin.id));
    const role = await world.role({ orders: 'RW' });
    const u = await world.user({ roleId: role.id });
    const other = await world.user({ roleId: role.id });
    expect(await through(u.token, '/orders', {}, 'POST')).toEqual([200, 200]);

    const edited = gateways.map((g) => g.applied('role', role.id));
    const patched = await admin.patch(`/v1/roles/${role.id}`, { acl: { orders: 'R' } });
    expect(patched.status).toBe(200);
    await Promise.all(edited);
    expect(await through(other.token, '/orders', {}, 'POST')).toEqual(['403 INSUFFICIENT_PERMISSION', '403 INSUFFICIENT_PERMISSION']);

    const disabled = gateways.map((g) => g.applied('user', u.id));
    expect((await admin.post(`/v1/users/${u.id}/disable`)).status).toBe(200);
    await Promise.all(disabled);
    const after = await through(u.token, '/orders');
    // Disabling also ends the user's sessions; either reason denies.
    expect(after.every((r) => r === '403 USER_DISABLED' || r === '403 SESSION_REVOKED')).toBe(true);
  });
});

describe('the shared Redis copy', () => {
  it('is dropped with every published change, and a load that raced the change is not written back', async () => {
    const u = await world.user({ acl: { orders: 'RW' } });
    const g1 = gateways[0]!;
    expect(await through(u.token, '/orders')).toEqual([200, 200]);
    const redis = g1.deps.redis as typeof g1.deps.redis & { principalWriteBack: (...a: (string | number)[]) => Promise<number> };
    // The write-back is fire-and-forget: wait until it has landed (a few round trips at most).
    let cached: string | null = null;
    for (let i = 0; i < 200 && cached === null; i++) cached = await redis.get(recordKey('user', u.id));
    // A copy is `<time its row was read>|<record JSON>` (gateway/principal/cache.ts).
    expect(cached).toMatch(/^\d+\|/);
    expect(JSON.parse(cached!.slice(cached!.indexOf('|') + 1))).toMatchObject({ id: u.id, status: 'ACTIVE' });

    // A gateway read the generation, then loaded the old row from PostgreSQL...
    const [, seenGeneration] = await redis.mget(recordKey('user', u.id), generationKey('user', u.id));
    // ...meanwhile the control plane committed and published...
    await change('user disabled (race)', [{ kind: 'user', id: u.id }], () => world.update.user(u.id, { status: 'DISABLED' }));
    expect(await redis.get(recordKey('user', u.id))).toBeNull();
    // ...so writing the old row back is refused.
    const stale = JSON.stringify({ id: u.id, status: 'ACTIVE' });
    expect(await redis.principalWriteBack(recordKey('user', u.id), generationKey('user', u.id), stale, seenGeneration ?? '', 60)).toBe(0);
    expect(await redis.get(recordKey('user', u.id))).toBeNull();
    expect(await through(u.token, '/orders')).toEqual(['403 USER_DISABLED', '403 USER_DISABLED']);
  });
});
