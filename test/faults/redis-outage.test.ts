// Redis goes away while requests flow (ASVS 4.0.3 V4.1.5 access controls
// fail securely, CWE-636; docs/http.md#gateway-answers: any error while deciding denies, never allows).
// test/gateway/outage.test.ts checks the outage modes one request at a time;
// here they happen under concurrent load, with revocations made through the
// control plane's admin routes while Redis is down and after it is back, and
// every call is judged by the oracle (oracle.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../../src/users/user.entity.ts';
import { testEnv } from '../support/env.ts';
import { activate } from '../support/fixtures.ts';
import { client } from '../support/http.ts';
import { Ledger, sample, type Verdict } from '../support/faults/oracle.ts';
import { revoke } from '../support/faults/revocations.ts';
import { faultStack, type FaultStack } from '../support/faults/stack.ts';
import { summarize, writeScenario } from '../support/faults/summary.ts';
import { gatewayCall, keepCalling, pick, type Subject } from '../support/faults/traffic.ts';

let s: FaultStack;

beforeAll(async () => {
  s = await faultStack();
});

afterAll(async () => {
  await s?.close();
});

/** Random reads and writes by `subjects` on the gateway, 4 at a time, until stopped. */
function load(ledger: Ledger, subjects: Subject[]) {
  const gateway = { name: 'gateway', url: s.gw.url };
  return keepCalling(4, async () => {
    const subject = pick(subjects);
    await gatewayCall(ledger, gateway, subject, pick(['read', 'write'] as const), pick(subject.merchants));
  });
}

/** Every revocation was tested: calls it affects were made after it took effect, and all were denied. */
function expectEachRevocationExercised(ledger: Ledger) {
  for (const r of ledger.revocations) {
    const after = ledger.calls.filter((c) => r.affects(c) && c.startedAt > r.committedAt + 100);
    expect(after.length, r.label).toBeGreaterThan(0);
  }
}

function expectClean(verdict: Verdict) {
  expect(sample(verdict.wrongfulAllows), 'wrongful allows').toEqual([]);
  expect(sample(verdict.wrongfulDenies), 'wrongful denies').toEqual([]);
  expect(sample(verdict.otherStatuses), 'neither allowed nor denied').toEqual([]);
}

describe('Redis stopped and restarted mid-load', () => {
  it('keeps deciding from PostgreSQL, applies revocations made during and after the outage, and serves nothing stale', async () => {
    const ledger = new Ledger(s.commits);
    const sharedRole = (await s.world.role({ orders: 'RW' })).id;
    const v = {
      disabled: await s.subject(),
      narrowed: await s.subject(),
      roleOff: await s.subject({ roleId: sharedRole }),
      roleOffToo: await s.subject({ roleId: sharedRole }),
      signedOut: await s.subject(),
      lowered: await s.subject(),
      disabledAfter: await s.subject(),
    };
    const controls = [await s.subject(), await s.subject()];
    const traffic = load(ledger, [...Object.values(v), ...controls]);

    // Warm: every record is in the gateway's LRU and in Redis.
    await ledger.after(300);
    await s.redis.stop();
    await s.channel(false);
    // Committed in PostgreSQL; the announcements cannot go out.
    await revoke.user(ledger, s.admin, v.disabled);
    await revoke.merchants(ledger, s.admin, v.narrowed, [s.world.m.direct]);
    await revoke.role(ledger, s.admin, sharedRole);
    await revoke.sessions(ledger, s.admin, v.signedOut);
    await ledger.after(400);

    await s.redis.start();
    await s.channel(true);
    await ledger.after(400);
    await revoke.roleToReadOnly(ledger, s.admin, v.lowered.roleId);
    await revoke.user(ledger, s.admin, v.disabledAfter);
    await ledger.after(400);
    await traffic.stop();

    const verdict = ledger.judge();
    await writeScenario(summarize('redis-restart-mid-load', ['redis-server stopped and restarted (empty)'], verdict, ledger.revocations.length));
    expectClean(verdict);
    expectEachRevocationExercised(ledger);
    expect(verdict.allowed).toBeGreaterThan(300);
  });
});

describe('Redis unreachable but alive (a network partition)', () => {
  it('serves no copy cached before the partition once the gateway is back, even before the control plane can announce', async () => {
    const ledger = new Ledger(s.commits);
    const victim = await s.subject();
    const controls = [await s.subject(), await s.subject()];
    const traffic = load(ledger, [victim, ...controls]);
    await ledger.after(150);
    // Redis holds the victim's record as the gateway cached it.
    const prefix = testEnv()['REDIS_KEY_PREFIX']!;
    expect(await s.redis.command('EXISTS', `${prefix}principal:{user:${victim.userId}}`)).toBe(1);

    await Promise.all([s.redisLink.gateway.stop(), s.redisLink.controlPlane.stop()]);
    await s.channel(false);
    await revoke.user(ledger, s.admin, victim);
    await ledger.after(150);

    // The gateway's link heals first; the control plane's announcement is still pending.
    await s.redisLink.gateway.start();
    await s.channel(true);
    await ledger.after(300);
    await s.redisLink.controlPlane.start();
    await ledger.after(150);
    await traffic.stop();

    const verdict = ledger.judge();
    await writeScenario(summarize('redis-partition', ['Redis unreachable for the gateway and the control plane, gateway reconnects first'], verdict, 1));
    expectClean(verdict);
    expectEachRevocationExercised(ledger);
  });
});

describe('the control plane with Redis down', () => {
  it('answers 503 UNAVAILABLE on the routes that need Redis (rate limit, lockout), never 500, and serves them again once it is back', async () => {
    const u = await s.subject();
    await activate(s.cp.deps, u.userId, 'correct horse battery staple');
    const { email } = await s.cp.deps.orm.em.fork().findOneOrFail(User, u.userId);
    const api = client(s.cp.url);
    const attempts = () =>
      Promise.all([
        api.post('/v1/auth/login', { email, password: 'correct horse battery staple' }),
        api.post('/v1/auth/refresh', { refreshToken: 'x'.repeat(43) }),
        api.get('/v1/invitations/lookup?token=' + 'x'.repeat(43)),
      ]);
    await s.redis.stop();
    const down = await attempts();
    await s.redis.start();
    const cpRedis = s.cp.deps.redis;
    if (cpRedis.status !== 'ready') await new Promise((resolve) => cpRedis.once('ready', resolve));
    for (const r of down) expect({ status: r.status, code: r.body?.code }).toEqual({ status: 503, code: 'UNAVAILABLE' });
    expect((await api.post('/v1/auth/login', { email, password: 'correct horse battery staple' })).status).toBe(200);
  });
});
