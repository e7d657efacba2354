// How long a single Redis being away costs, measured for the README's
// failure table: the private redis-server of the fault stack (stack.ts) is
// stopped under gateway traffic and started again (empty). Measured: how fast
// the gateway stops trusting its cache, that it keeps deciding meanwhile
// (from PostgreSQL, never a 5xx), that logins fail closed (503), and how long
// after the restart the gateway's channel, the control plane's readiness and
// logins are back, with nothing restarted. Figures: build/faults/redis-single-recovery.json.
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../../src/users/user.entity.ts';
import { activate } from '../support/fixtures.ts';
import { client } from '../support/http.ts';
import { Ledger, sample } from '../support/faults/oracle.ts';
import { faultStack, type FaultStack } from '../support/faults/stack.ts';
import { summarize, writeScenario } from '../support/faults/summary.ts';
import { gatewayCall, keepCalling, pick } from '../support/faults/traffic.ts';

let s: FaultStack;

beforeAll(async () => {
  s = await faultStack();
});

afterAll(async () => {
  await s?.close();
});

/** Polls `check` every 20 ms (bounded): recovery after a fault, not a propagation measurement. */
async function until(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not recovered within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a single Redis stopped and started again', () => {
  it('gateways keep deciding, logins fail closed, and everything is back within seconds of the restart without a restart of its own', async () => {
    const subjects = [await s.subject(), await s.subject()];
    const u = await s.subject();
    await activate(s.cp.deps, u.userId, 'correct horse battery staple');
    const { email } = await s.cp.deps.orm.em.fork().findOneOrFail(User, u.userId);
    const loginOk = () => client(s.cp.url).post('/v1/auth/login', { email, password: 'correct horse battery staple' });
    const ledger = new Ledger(s.commits);
    const gateway = { name: 'gateway', url: s.gw.url };
    const traffic = keepCalling(2, async () => {
      const x = pick(subjects);
      await gatewayCall(ledger, gateway, x, 'read', pick(x.merchants));
    }, 5);
    await ledger.after(100);

    const stoppedAt = performance.now();
    await s.redis.stop();
    await s.channel(false);
    const untrustedAfterMs = performance.now() - stoppedAt;
    const down = await loginOk();
    await ledger.after(100);

    const startedAt = performance.now();
    await s.redis.start();
    await s.channel(true);
    const channelBackMs = performance.now() - startedAt;
    await until(async () => (await client(s.cp.url).get('/readyz')).body?.redis === true);
    const readyBackMs = performance.now() - startedAt;
    await until(async () => (await loginOk()).status === 200);
    const loginBackMs = performance.now() - startedAt;
    await ledger.after(100);
    await traffic.stop();

    const verdict = ledger.judge();
    await writeScenario(summarize('redis-single-recovery', ['private redis-server stopped under gateway traffic, started again empty'], verdict, 0, {
      gatewayCacheUntrustedAfterStopMs: Math.round(untrustedAfterMs),
      loginWhileDown: `${down.status} ${down.body?.code}`,
      gatewayChannelBackAfterStartMs: Math.round(channelBackMs),
      controlPlaneReadyRedisAfterStartMs: Math.round(readyBackMs),
      loginBackAfterStartMs: Math.round(loginBackMs),
    }));
    expect({ status: down.status, code: down.body?.code }).toEqual({ status: 503, code: 'UNAVAILABLE' });
    expect(sample(verdict.otherStatuses), 'gateway answers neither allowed nor denied').toEqual([]);
    expect(sample(verdict.wrongfulDenies), 'wrongful denies').toEqual([]);
    expect(ledger.calls.filter((c) => c.startedAt > stoppedAt && c.endedAt < startedAt && c.status === 200).length).toBeGreaterThan(0);
    // The bounds of the reconnect back-off (2 s at most between attempts) with room for a loaded machine.
    expect(loginBackMs).toBeLessThan(10_000);
  });
});
