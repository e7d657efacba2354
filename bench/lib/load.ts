// autocannon wrappers: one measurement = one configuration for a fixed time
// (or a fixed number of requests) with the same connections, so runs compare
// like for like. autocannon's own latency histogram has 1 ms resolution, too
// coarse for a sub-millisecond proxy; every response's latency (autocannon's
// float ms) also goes into a microsecond histogram here.
import { spawn } from 'node:child_process';
import { once, type EventEmitter } from 'node:events';
import autocannon from 'autocannon';
import { FineHistogram } from '../../gateway/ops/stage-timing.ts';
import { fixedRateLoad, type LoadResult } from './fixed-rate.ts';

// The result type lives with the raw client (fixed-rate.ts), which load() also uses.
export type { LoadResult } from './fixed-rate.ts';

export interface LoadOptions {
  url: string;
  durationSec?: number;
  /** A fixed number of requests instead of a duration. */
  amount?: number;
  connections: number;
  headers?: Record<string, string>;
  /** Fixed total rate (requests per second) instead of as fast as possible. */
  overallRate?: number;
  /** A list of requests each connection cycles through (the realistic mix) instead of one repeated request. */
  requests?: { path: string; headers: Record<string, string> }[];
  /** Varies each request (headers of a chosen token and merchant, for instance). */
  setupRequest?: (req: { headers?: Record<string, string>; path?: string }) => { headers?: Record<string, string>; path?: string };
}

export async function load(o: LoadOptions): Promise<LoadResult> {
  // A list of thousands of requests: autocannon would build every one per connection before
  // sending (32 × 4,000 buffers per run); the raw client builds them once and runs closed loop.
  if (o.requests) {
    return fixedRateLoad({ url: o.url, headers: o.headers ?? {}, mix: o.requests, rate: 0, durationSec: o.durationSec ?? 5, connections: o.connections });
  }
  const latency = new FineHistogram();
  // Without a callback autocannon returns its tracker: an EventEmitter that is also thenable.
  const instance = autocannon({
    url: o.url,
    ...(o.amount !== undefined ? { amount: o.amount } : { duration: o.durationSec ?? 5 }),
    connections: o.connections,
    pipelining: 1,
    headers: o.headers ?? {},
    ...(o.overallRate ? { overallRate: o.overallRate } : {}),
    ...(o.setupRequest ? { requests: [{ setupRequest: o.setupRequest as never }] } : {}),
  }) as unknown as EventEmitter & PromiseLike<autocannon.Result>;
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status < 300) latency.record(Math.round(ms * 1e6));
  });
  const r = await instance;
  const s = latency.snapshot();
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    rps: r.duration > 0 ? (r.requests.total - r.non2xx) / r.duration : 0,
    p50: ms(s.p50Us),
    p97_5: ms(latency.percentileNs(97.5) / 1000),
    p99: ms(s.p99Us),
    mean: ms(s.meanUs),
    max: ms(s.maxUs),
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    requests: r.requests.total,
    durationSec: r.duration,
  };
}

export interface Background {
  /** Stops the load and returns autocannon's summary (2xx and non-2xx counts). */
  stop: () => Promise<{ requests: number; non2xx: number; errors: number }>;
}

/**
 * Steady load from a separate autocannon process, so the process that
 * measures (this one) keeps an idle event loop and its timestamps are not
 * delayed by the load generator's own work.
 */
export function background(o: { url: string; connections: number; rate: number; headers: Record<string, string>; maxSec: number }): Background {
  const options = { ...o, rate: Math.max(1, Math.round(o.rate)) };
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/background-load.ts', JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = once(child, 'exit');
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  return {
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
      kill();
      process.off('exit', kill);
      try {
        return JSON.parse(out.trim().split('\n').at(-1)!) as { requests: number; non2xx: number; errors: number };
      } catch {
        return { requests: NaN, non2xx: NaN, errors: NaN };
      }
    },
  };
}

