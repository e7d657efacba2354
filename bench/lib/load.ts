// autocannon wrappers: one measurement = one configuration for a fixed time
// with the same connections, so runs compare like for like.
import autocannon from 'autocannon';

export interface LoadResult {
  rps: number;
  p50: number;
  p97_5: number;
  p99: number;
  non2xx: number;
  errors: number;
  requests: number;
}

export interface LoadOptions {
  url: string;
  durationSec: number;
  connections: number;
  headers?: Record<string, string>;
  /** Fixed total rate (requests per second) instead of as fast as possible. */
  overallRate?: number;
}

export async function load(o: LoadOptions): Promise<LoadResult> {
  const r = await autocannon({
    url: o.url,
    duration: o.durationSec,
    connections: o.connections,
    pipelining: 1,
    headers: o.headers ?? {},
    ...(o.overallRate ? { overallRate: o.overallRate } : {}),
  });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p97_5: r.latency.p97_5,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    requests: r.requests.total,
  };
}
