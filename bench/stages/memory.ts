// Memory over many requests: a fresh gateway, warmed up, then N requests
// (1,000,000 in full mode) as fast as it goes, spread over many users, each
// request naming one of its user's merchants (one in twenty a merchant it may
// not reach: denied, and logged). RSS and heap after a forced GC are read
// before and after each quarter, with the wasm memory (which never shrinks,
// so its size is its high-water mark).
import type { Service } from '../lib/processes.ts';
import { load, type LoadResult } from '../lib/load.ts';
import type { Mode } from '../lib/mode.ts';
import { benchCall } from '../lib/servers.ts';
import type { SeededUser } from '../lib/stack.ts';

export interface MemorySnapshot {
  afterRequests: number;
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  wasmMemoryBytes: number;
}

export interface MemoryResult {
  requests: number;
  users: number;
  snapshots: MemorySnapshot[];
  runs: LoadResult[];
  /** Heap used after GC: last − first snapshot, and last − second (steady state, after caches filled). */
  heapGrowthBytes: number;
  heapGrowthSteadyBytes: number;
  rssGrowthBytes: number;
}

export async function memory(mode: Mode, gateway: Service, users: SeededUser[], merchants: string[], log: (s: string) => void): Promise<MemoryResult> {
  let i = 0;
  const setupRequest = (req: { headers?: Record<string, string> }) => {
    const u = users[i++ % users.length]!;
    const denied = i % 20 === 0;
    const merchant = denied ? merchants.find((m) => !u.merchantsAccess.includes(m)) ?? 'nowhere' : u.merchantsAccess[i % u.merchantsAccess.length]!;
    req.headers = { ...req.headers, authorization: `Bearer ${u.token}`, 'x-merchant-id': merchant };
    return req;
  };
  const url = `${gateway.url}/orders`;
  await load({ url, connections: mode.connections, amount: mode.memory.warmup, setupRequest });
  const snap = async (afterRequests: number): Promise<MemorySnapshot> => {
    const m = await benchCall<Omit<MemorySnapshot, 'afterRequests'>>(gateway, 'memory?gc');
    return { afterRequests, ...m };
  };
  const snapshots = [await snap(0)];
  const runs: LoadResult[] = [];
  const quarter = Math.ceil(mode.memory.requests / 4);
  for (let q = 1; q <= 4; q++) {
    const r = await load({ url, connections: mode.connections, amount: quarter, setupRequest });
    runs.push(r);
    snapshots.push(await snap(q * quarter));
    const s = snapshots.at(-1)!;
    log(`  ${q * quarter} requests (${Math.round(r.rps)} rps): heap ${(s.heapUsedBytes / 1048576).toFixed(1)} MB, rss ${(s.rssBytes / 1048576).toFixed(1)} MB`);
  }
  const first = snapshots[0]!;
  const second = snapshots[1]!;
  const last = snapshots.at(-1)!;
  return {
    requests: quarter * 4,
    users: users.length,
    snapshots,
    runs,
    heapGrowthBytes: last.heapUsedBytes - first.heapUsedBytes,
    heapGrowthSteadyBytes: last.heapUsedBytes - second.heapUsedBytes,
    rssGrowthBytes: last.rssBytes - first.rssBytes,
  };
}
