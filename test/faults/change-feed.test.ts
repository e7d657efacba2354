// The change feed cannot lose a committed change (docs/architecture.md#the-change-feed).
// Real processes: gateways and the control plane under test run as their own
// OS processes; the control plane reaches Redis and PostgreSQL through TCP
// relays the test cuts (test/support/tcp-proxy.ts), the gateways reach both
// directly. A second, in-process control plane only seeds data and serves the
// signing keys.
// - The control plane cut from Redis: a disable commits (its Redis publish
//   cannot go out) and both gateways deny the user within 100 ms of COMMIT.
// - The control plane SIGKILLed right after COMMIT: the relay swallows the
//   server's COMMIT answer and the process is killed at that moment, so
//   nothing it would do after commit happens; both gateways deny within
//   100 ms of COMMIT. No hook in the product: the relay sees the commit.
// - A gateway whose LISTEN session is stalled or cut, while a change commits
//   that only PostgreSQL announces: it stops trusting its cache within 1 s.
// - Two control plane processes (one cut from Redis) and three gateways
//   under the soak's mix with revocations through both: no call allowed
//   later than 100 ms after the COMMIT of a revocation affecting it (timed
//   by a relay in front of their PostgreSQL, commit-clock.ts).
// Measured delays go to build/faults/change-feed.json.
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordKey } from '../../core/principal/cache-keys.ts';
import { User } from '../../src/users/user.entity.ts';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane.ts';
import { testEnv } from '../support/env.ts';
import { activate, tokenFor } from '../support/fixtures.ts';
import { client } from '../support/http.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { startUpstream, type RunningUpstream } from '../support/upstream.ts';
import { gatewayWorld, type GatewayWorld } from '../support/worlds/gateway.ts';
import { timedDatabase } from '../support/faults/commit-clock.ts';
import { startControlPlaneProcess, type ControlPlaneProcess } from '../support/faults/control-plane-process.ts';
import { routeTable, startGatewayProcess, type GatewayProcess } from '../support/faults/gateway-process.ts';
import { afterCommit, Ledger, sample } from '../support/faults/oracle.ts';
import { revoke } from '../support/faults/revocations.ts';
import { writeSummary } from '../support/faults/summary.ts';
import { gatewayCall, keepCalling, login, pick, refresh, type Endpoint, type Subject } from '../support/faults/traffic.ts';

/** A disable's UPDATE (and its audit event) carry this value; the same connection then COMMITs. */
const DISABLE_MARKER = /DISABLED/;
/** PostgreSQL's CommandComplete for COMMIT: 'C', length 11, "COMMIT\0". */
// eslint-disable-next-line no-control-regex -- a binary protocol message
const COMMIT_DONE = /C\x00\x00\x00\x0bCOMMIT\x00/;
const PASSWORD = 'change feed test password';

let seed: RunningControlPlane;
let upstream: RunningUpstream;
let routes: Awaited<ReturnType<typeof routeTable>>;
let world: GatewayWorld;
let admin: ReturnType<typeof client>;
let redis: Redis;
let db: pg.Client;
/** The victim control plane's links. */
let cpRedis: TcpProxy;
let cpPg: TcpProxy;
/** The third gateway's LISTEN session goes through this relay; its pool does not. */
let feedLink: TcpProxy;
let victim: ControlPlaneProcess;
let gateways: GatewayProcess[] = [];
const measured: Record<string, unknown> = {};

const relayUrl = (url: string, relay: TcpProxy) => {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(relay.port);
  return u.toString();
};

beforeAll(async () => {
  const env = testEnv();
  seed = await startControlPlane();
  upstream = await startUpstream();
  routes = await routeTable(upstream.url);
  const pgUrl = new URL(env['DATABASE_URL']!);
  const redisUrl = new URL(env['REDIS_URL']!);
  [cpRedis, cpPg, feedLink] = await Promise.all([
    startTcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379)),
    startTcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432)),
    startTcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432)),
  ]);
  const gatewayEnv = { CONTROL_PLANE_URL: seed.url, GATEWAY_ROUTES: routes.file };
  [victim, ...gateways] = await Promise.all([
    startControlPlaneProcess({ REDIS_URL: relayUrl(env['REDIS_URL']!, cpRedis), DATABASE_URL: relayUrl(env['DATABASE_URL']!, cpPg) }),
    startGatewayProcess(gatewayEnv),
    startGatewayProcess(gatewayEnv),
    startGatewayProcess({ ...gatewayEnv, CHANGE_FEED_DATABASE_URL: relayUrl(env['DATABASE_URL']!, feedLink) }),
  ]);
  world = await gatewayWorld(seed.deps);
  await activate(seed.deps, world.tenant.admin.id);
  admin = client(victim.url, await tokenFor(seed.deps, world.tenant.admin.id));
  redis = new Redis(env['REDIS_URL']!, { keyPrefix: env['REDIS_KEY_PREFIX']!, maxRetriesPerRequest: 1 });
  db = new pg.Client({ connectionString: env['DATABASE_URL']! });
  await db.connect();
  // Every gateway's feed is live before any test counts on it.
  for (const g of gateways) await changeChannel(g, true, 10_000);
});

afterAll(async () => {
  await writeSummary('faults/change-feed.json', { scenario: 'change-feed', ...measured });
  for (const relay of [cpRedis, cpPg, feedLink]) relay?.resume();
  await Promise.all(gateways.map((g) => g.stop()));
  await victim?.stop();
  redis?.disconnect();
  await db?.end();
  await seed?.close();
  await upstream?.close();
  await routes?.remove();
  await Promise.all([cpRedis?.stop(), cpPg?.stop(), feedLink?.stop()]);
});

/** Resolves when /readyz reports the change channel `live` (external process: polled, bounded). */
async function changeChannel(g: GatewayProcess, live: boolean, ms: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const body = (await client(g.url).get('/readyz').catch(() => null))?.body;
    if (body?.changeChannel === live) return performance.now() - started;
    if (performance.now() - started > ms) throw new Error(`${g.url}: change channel not ${live ? 'live' : 'down'} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ordersAs = (g: GatewayProcess, token: string) => client(g.url, token).get('/orders', { 'x-merchant-id': world.m.direct });

interface Probe {
  startedAt: number;
  endedAt: number;
  status: number;
  code: string;
}

/** Calls the gateway as the user, one call after another, until it denies (or 10 s pass). */
async function callUntilDenied(g: GatewayProcess, token: string): Promise<Probe[]> {
  const calls: Probe[] = [];
  const started = performance.now();
  while (performance.now() - started < 10_000) {
    const startedAt = performance.now();
    const res = await ordersAs(g, token);
    calls.push({ startedAt, endedAt: performance.now(), status: res.status, code: res.body?.code ?? '' });
    if (res.status === 403) break;
  }
  return calls;
}

/** When the first deny was answered (ms after `from`), and how many calls started later than `boundMs` after `from` were still allowed. */
function judge(calls: Probe[], from: number, boundMs: number) {
  const deny = calls.find((c) => c.status === 403);
  return {
    deniedAfterMs: deny ? Math.round(deny.endedAt - from) : Infinity,
    lateAllows: calls.filter((c) => c.status === 200 && c.startedAt > from + boundMs).length,
    code: deny?.code ?? 'never denied',
  };
}

/** An ACTIVE user both of the first two gateways allow now, and have cached in process. */
async function warmUser() {
  const u = await world.user({ acl: { orders: 'RW' } });
  for (const g of gateways.slice(0, 2)) {
    for (let i = 0; i < 2; i++) expect((await ordersAs(g, u.token)).status).toBe(200);
  }
  return u;
}

/** The shared Redis copy, if any, is no older than the change: the gateways dropped it, no control plane did. */
async function sharedCopyStatus(userId: string): Promise<string | null> {
  const raw = await redis.get(recordKey('user', userId));
  return raw === null ? null : (JSON.parse(raw.slice(raw.indexOf('|') + 1)) as { status: string }).status;
}

describe('the control plane cut from Redis', () => {
  it('a disable commits and both gateways deny the user within 100 ms of COMMIT', async () => {
    const u = await warmUser();
    await cpRedis.stop();
    const committed = cpPg.watchReply(DISABLE_MARKER, COMMIT_DONE);
    const probes = gateways.slice(0, 2).map((g) => callUntilDenied(g, u.token));
    const res = await admin.post(`/v1/users/${u.id}/disable`);
    expect(res.status).toBe(200);
    const at = await committed;
    const seen = (await Promise.all(probes)).map((calls) => judge(calls, at, 100));
    measured['cutFromRedis'] = seen;
    for (const s of seen) {
      // Disabling also ends the user's sessions; either reason denies.
      expect(s).toMatchObject({ lateAllows: 0, code: expect.stringMatching(/^(USER_DISABLED|SESSION_REVOKED)$/) });
      expect(s.deniedAfterMs).toBeLessThan(1000);
    }
    expect(await sharedCopyStatus(u.id)).not.toBe('ACTIVE');
    await cpRedis.start();
  });
});

describe('the control plane SIGKILLed right after COMMIT', () => {
  it('the disable is committed and both gateways deny the user within 100 ms of COMMIT', async () => {
    const u = await warmUser();
    const committed = cpPg.watchReply(DISABLE_MARKER, COMMIT_DONE, { cut: true }).then(async (at) => {
      await victim.kill();
      return at;
    });
    const probes = gateways.slice(0, 2).map((g) => callUntilDenied(g, u.token));
    const answer = admin.post(`/v1/users/${u.id}/disable`).then((r) => r.status, () => 0);
    const at = await committed;
    const seen = (await Promise.all(probes)).map((calls) => judge(calls, at, 100));
    measured['killedAfterCommit'] = seen;
    // The caller never heard back: the process died holding the answer.
    expect(await answer).toBe(0);
    const row = await db.query<{ status: string }>('select status from users where id = $1', [u.id]);
    expect(row.rows[0]?.status).toBe('DISABLED');
    for (const s of seen) {
      // Disabling also ends the user's sessions; either reason denies.
      expect(s).toMatchObject({ lateAllows: 0, code: expect.stringMatching(/^(USER_DISABLED|SESSION_REVOKED)$/) });
      expect(s.deniedAfterMs).toBeLessThan(1000);
    }
    expect(await sharedCopyStatus(u.id)).not.toBe('ACTIVE');
  });
});

describe('a gateway whose LISTEN session is lost', () => {
  /** Warms a user on the third gateway, applies `fault` to its LISTEN session, disables the user, and judges. */
  const gap = async (fault: () => void | Promise<void>) => {
    const g = gateways[2]!;
    const u = await world.user({ acl: { orders: 'RW' } });
    for (let i = 0; i < 2; i++) expect((await ordersAs(g, u.token)).status).toBe(200);
    const probe = callUntilDenied(g, u.token);
    const cutAt = performance.now();
    await fault();
    // Committed while this gateway cannot hear it, and announced by nobody else (no control plane).
    await world.update.user(u.id, { status: 'DISABLED' });
    const seen = judge(await probe, cutAt, 1000);
    expect(seen).toMatchObject({ lateAllows: 0, code: 'USER_DISABLED' });
    expect(seen.deniedAfterMs).toBeLessThan(2000);
    // The deny can come before the gateway sees the lost session (a cache
    // already untrusted for another reason, e.g. a Redis PING late on a busy
    // machine, reads PostgreSQL), so the channel is awaited, not sampled.
    await changeChannel(g, false, Math.max(0, cutAt + 2000 - performance.now()));
    return { ...seen, reportedDownAfterMs: Math.round(performance.now() - cutAt) };
  };

  it('stalled (open, silent): stops trusting its cache within 1 s, and trusts it again once the session is back', async () => {
    try {
      measured['listenStalled'] = await gap(() => feedLink.stall());
    } finally {
      feedLink.resume();
    }
    measured['listenStalledRecoveryMs'] = Math.round(await changeChannel(gateways[2]!, true, 10_000));
  });

  it('cut (connection dropped): the same', async () => {
    try {
      measured['listenCut'] = await gap(() => feedLink.stop());
    } finally {
      await feedLink.start();
    }
    await changeChannel(gateways[2]!, true, 10_000);
  });
});

describe('two control planes (one cut from Redis) and three gateways under traffic', () => {
  it('revocations through both are never wrongly allowed', async () => {
    const seconds = Number(process.env['CHANGE_FEED_SOAK_SECONDS'] ?? 20);
    await cpRedis.stop();
    const timed = await timedDatabase();
    const [cpA, cpB] = await Promise.all([
      startControlPlaneProcess({ DATABASE_URL: timed.url }),
      startControlPlaneProcess({ DATABASE_URL: timed.url, REDIS_URL: relayUrl(testEnv()['REDIS_URL']!, cpRedis) }),
    ]);
    try {
      const adminToken = await tokenFor(seed.deps, world.tenant.admin.id);
      const admins = [client(cpA.url, adminToken), client(cpB.url, adminToken)];
      const both = [world.m.direct, world.m.other];
      const subjectWith = async (roleId: string | undefined, merchants: string[]): Promise<Subject> => {
        const u = await world.user({ acl: { orders: 'RW' }, ...(roleId && { roleId }), merchantsAccess: merchants });
        await activate(seed.deps, u.id, PASSWORD);
        const { email } = await seed.deps.orm.em.fork().findOneOrFail(User, u.id);
        return { userId: u.id, roleId: u.roleId, email, password: PASSWORD, merchants, sessions: [], lock: Promise.resolve() };
      };
      const many = <T>(n: number, f: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => f(i)));
      const roleOff = [(await world.role({ orders: 'RW' })).id, (await world.role({ orders: 'RW' })).id];
      const groups = {
        control: await many(4, () => subjectWith(undefined, both)),
        disabled: await many(4, () => subjectWith(undefined, both)),
        roleOff: await many(4, (i) => subjectWith(roleOff[i % 2], both)),
        narrowed: await many(4, () => subjectWith(undefined, both)),
        signedOut: await many(4, () => subjectWith(undefined, both)),
      };
      const everyone = Object.values(groups).flat();
      const ledger = new Ledger(timed.commits);
      for (const s of everyone) await login(ledger, cpA.url, s);
      expect(everyone.every((s) => s.sessions.length === 1)).toBe(true);

      // Each revocation through either control plane, in a shuffled order.
      const plan = [
        ...groups.disabled.map((s) => (a: (typeof admins)[0]) => revoke.user(ledger, a, s)),
        ...roleOff.map((r) => (a: (typeof admins)[0]) => revoke.role(ledger, a, r)),
        ...groups.narrowed.map((s) => (a: (typeof admins)[0]) => revoke.merchants(ledger, a, s, [world.m.direct])),
        ...groups.signedOut.map((s) => (a: (typeof admins)[0]) => revoke.sessions(ledger, a, s)),
      ].sort(() => Math.random() - 0.5);

      const endpoints: Endpoint[] = gateways.map((g, i) => ({ name: `gateway-${i + 1}`, url: g.url }));
      const startedAt = performance.now();
      const at = (fraction: number) => startedAt + fraction * seconds * 1000;
      const until = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - performance.now())));
      const traffic = [
        keepCalling(6, async () => {
          const s = pick(everyone);
          await gatewayCall(ledger, pick(endpoints), s, pick(['read', 'read', 'write'] as const), pick(s.merchants));
        }, 25),
        keepCalling(1, () => login(ledger, cpA.url, pick(everyone)), 700),
        keepCalling(1, () => refresh(ledger, cpA.url, pick(everyone)), 400),
      ];
      for (const [i, step] of plan.entries()) {
        await until(at(0.1 + (0.8 * i) / plan.length));
        await step(admins[i % 2]!);
      }
      await until(at(1));
      await Promise.all(traffic.map((t) => t.stop()));

      const verdict = ledger.judge(100);
      const gatewayCalls = ledger.calls.filter((c) => c.kind === 'gateway');
      measured['twoControlPlanes'] = {
        seconds,
        gatewayRequests: gatewayCalls.length,
        revocations: ledger.revocations.length,
        allowed: verdict.allowed,
        denied: verdict.denied,
        wrongfulAllows: verdict.wrongfulAllows.length,
        wrongfulDenies: verdict.wrongfulDenies.length,
        afterCommit: afterCommit(ledger),
      };
      expect(ledger.revocations.length).toBe(plan.length);
      expect(sample(verdict.wrongfulAllows), 'wrongful allows').toEqual([]);
      expect(sample(verdict.wrongfulDenies), 'wrongful denies').toEqual([]);
      expect(gatewayCalls.filter((c) => c.status >= 500 || c.status === 0)).toHaveLength(0);
      expect(verdict.denied).toBeGreaterThan(0);
    } finally {
      await Promise.all([cpA.stop(), cpB.stop()]);
      await timed.stop();
      await cpRedis.start();
    }
  });
});
