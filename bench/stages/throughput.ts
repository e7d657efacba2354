// Throughput and latency as fast as the configurations go, then added latency
// at a fixed rate. Configurations alternate in rounds (1 2 3 3b 4, 1 2 3 3b 4,
// …) with the same connections, duration, path and headers, so a slow
// moment of the machine spreads over all of them instead of one; each figure
// is the median over the rounds.
import type { Service } from '../lib/processes.ts';
import { load, type LoadResult } from '../lib/load.ts';
import type { Mode } from '../lib/mode.ts';
import { benchCall } from '../lib/servers.ts';
import { median } from '../lib/stats.ts';
import type { HistogramSnapshot, Stage } from '../../gateway/stage-timing.ts';

export interface Target {
  key: string;
  label: string;
  service: Service;
  /** A gateway (has /__bench routes). */
  gateway: boolean;
}

export interface Summary {
  key: string;
  label: string;
  rps: number;
  p50: number;
  p97_5: number;
  p99: number;
  non2xx: number;
  errors: number;
  rounds: LoadResult[];
}

function summarise(t: Target, rounds: LoadResult[]): Summary {
  return {
    key: t.key,
    label: t.label,
    rps: median(rounds.map((r) => r.rps)),
    p50: median(rounds.map((r) => r.p50)),
    p97_5: median(rounds.map((r) => r.p97_5)),
    p99: median(rounds.map((r) => r.p99)),
    non2xx: rounds.reduce((n, r) => n + r.non2xx, 0),
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    rounds,
  };
}

export interface Request {
  path: string;
  headers: Record<string, string>;
}

export async function throughput(mode: Mode, targets: Target[], req: Request, log: (s: string) => void): Promise<Summary[]> {
  const { warmupSec, rounds, durationSec } = mode.throughput;
  const results = new Map<string, LoadResult[]>(targets.map((t) => [t.key, []]));
  if (warmupSec > 0) {
    for (const t of targets) {
      await load({ url: t.service.url + req.path, headers: req.headers, connections: mode.connections, durationSec: warmupSec });
    }
  }
  for (let round = 1; round <= rounds; round++) {
    for (const t of targets) {
      const r = await load({ url: t.service.url + req.path, headers: req.headers, connections: mode.connections, durationSec });
      results.get(t.key)!.push(r);
      log(`  round ${round}/${rounds} ${t.label}: ${Math.round(r.rps)} rps, p99 ${r.p99} ms${r.non2xx || r.errors ? ` (${r.non2xx} non-2xx, ${r.errors} errors)` : ''}`);
    }
  }
  return targets.map((t) => summarise(t, results.get(t.key)!));
}

export interface FixedRateResult {
  rate: number;
  summaries: Summary[];
  /** In-process stage histograms of each gateway target over its fixed-rate runs. */
  stages: Record<string, Record<Stage, HistogramSnapshot> | null>;
}

export async function fixedRate(mode: Mode, targets: Target[], req: Request, rate: number, log: (s: string) => void): Promise<FixedRateResult> {
  const { rounds, durationSec } = mode.fixedRate;
  const results = new Map<string, LoadResult[]>(targets.map((t) => [t.key, []]));
  for (const t of targets) if (t.gateway) await benchCall(t.service, 'stages/on', 'POST');
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const t of targets) {
        const r = await load({ url: t.service.url + req.path, headers: req.headers, connections: mode.connections, durationSec, overallRate: rate });
        results.get(t.key)!.push(r);
        log(`  round ${round}/${rounds} ${t.label} at ${rate} rps: p50 ${r.p50} ms, p99 ${r.p99} ms`);
      }
    }
    const stages: FixedRateResult['stages'] = {};
    for (const t of targets) if (t.gateway) stages[t.key] = await benchCall(t.service, 'stages');
    return { rate, summaries: targets.map((t) => summarise(t, results.get(t.key)!)), stages };
  } finally {
    for (const t of targets) if (t.gateway) await benchCall(t.service, 'stages/off', 'POST');
  }
}
