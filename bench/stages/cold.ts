// Cold paths, one request at a time on an idle gateway: the warm path for
// reference; the principal records missing from the in-process LRU but in
// Redis; missing from both (PostgreSQL); and a token not yet verified (an
// EdDSA signature check). Each request is timed by the client (end to end,
// with the proxying) and in the gateway (stage timers: resolution, and
// verification for the token case).
import { Pool } from 'undici';
import type { Redis } from 'ioredis';
import { recordKey } from '../../core/principal/cache-keys.ts';
import type { HistogramSnapshot, Stage } from '../../gateway/ops/stage-timing.ts';
import { FineHistogram } from '../../gateway/ops/stage-timing.ts';
import type { Service } from '../lib/processes.ts';
import type { Mode } from '../lib/mode.ts';
import { benchCall } from '../lib/servers.ts';
import type { SeededUser } from '../lib/stack.ts';

export interface ColdCase {
  label: string;
  client: { p50Ms: number; p99Ms: number; meanMs: number };
  stages: Record<Stage, HistogramSnapshot>;
}

export async function coldPaths(mode: Mode, gateway: Service, redis: Redis, user: SeededUser, log: (s: string) => void): Promise<ColdCase[]> {
  const pool = new Pool(gateway.url, { connections: 1, keepAliveTimeout: 60_000 });
  const merchant = user.merchantsAccess[0]!;
  const sid = (JSON.parse(Buffer.from(user.token.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
  const headers = { authorization: `Bearer ${user.token}`, 'x-merchant-id': merchant };
  const one = async () => {
    const t = performance.now();
    const res = await pool.request({ method: 'GET', path: '/orders', headers });
    await res.body.dump();
    if (res.statusCode !== 200) throw new Error(`cold path request answered ${res.statusCode}`);
    return performance.now() - t;
  };
  const cases: { label: string; prepare: () => Promise<unknown> }[] = [
    { label: 'warm (LRU hit, memo hit)', prepare: async () => undefined },
    { label: 'LRU miss, Redis hit', prepare: () => benchCall(gateway, 'flush', 'POST') },
    {
      label: 'LRU and Redis miss (PostgreSQL)',
      prepare: async () => {
        await benchCall(gateway, 'flush', 'POST');
        await redis.del(recordKey('user', user.id), recordKey('session', sid), recordKey('role', user.roleId), recordKey('merchant', merchant));
      },
    },
    { label: 'token not yet verified (+ LRU miss, Redis hit)', prepare: () => benchCall(gateway, 'flush?tokens', 'POST') },
  ];
  const out: ColdCase[] = [];
  try {
    for (let i = 0; i < 20; i++) await one(); // warm, and fill Redis
    for (const c of cases) {
      await benchCall(gateway, 'stages/on', 'POST');
      const h = new FineHistogram();
      for (let i = 0; i < mode.cold.samples; i++) {
        await c.prepare();
        h.record(Math.round((await one()) * 1e6));
      }
      const stages = await benchCall<Record<Stage, HistogramSnapshot>>(gateway, 'stages');
      const s = h.snapshot();
      out.push({ label: c.label, client: { p50Ms: s.p50Us / 1000, p99Ms: s.p99Us / 1000, meanMs: s.meanUs / 1000 }, stages });
      log(`  ${c.label}: client p50 ${(s.p50Us / 1000).toFixed(3)} ms, resolve p50 ${stages.resolve.p50Us} µs`);
    }
  } finally {
    await benchCall(gateway, 'stages/off', 'POST').catch(() => undefined);
    await pool.close();
  }
  return out;
}
