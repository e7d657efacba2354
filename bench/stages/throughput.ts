// Throughput and latency as fast as the configurations go, then added latency
// at a fixed rate. Configurations alternate in rounds (1 2 3 3b 4, 1 2 3 3b 4,
// …) with the same connections, duration, path and headers, so a slow
// moment of the machine spreads over all of them instead of one; each figure
// is the median over the rounds.
import type { Pauses } from '../lib/pauses.ts';
import { cpuMs, machineCpu, treeCpuMs, type Service } from '../lib/processes.ts';
import { fixedRateLoad } from '../lib/fixed-rate.ts';
import { load, type LoadResult } from '../lib/load.ts';
import type { Mode } from '../lib/mode.ts';
import { benchCall } from '../lib/servers.ts';
import { median } from '../lib/stats.ts';
import type { HistogramSnapshot, Stage } from '../../gateway/ops/stage-timing.ts';

export interface Target {
  key: string;
  label: string;
  service: Service;
  /** A gateway (has /__bench routes). */
  gateway: boolean;
  /** Other processes that serve this configuration's requests, whose CPU time counts (the upstream, an OPA server). */
  helpers: { name: 'upstream' | 'opa'; service: Service }[];
}

/** CPU µs per request of each process involved, for one measurement. */
export interface CpuPerRequest {
  /** The process under test: the proxy or gateway (or the upstream itself for configuration 1). */
  front: number;
  upstream: number;
  /** An OPA server's, for configuration 4. */
  opa: number;
  /** Share of the whole machine's CPU (every core) that was busy during the run, 0–1: near 1, queues, not the code, set the tail latency. */
  machineBusy: number;
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
  /** Medians over the rounds. */
  cpu: CpuPerRequest;
  rounds: (LoadResult & { cpu: CpuPerRequest })[];
}

function summarise(t: Target, rounds: (LoadResult & { cpu: CpuPerRequest })[]): Summary {
  return {
    cpu: {
      front: median(rounds.map((r) => r.cpu.front)),
      upstream: median(rounds.map((r) => r.cpu.upstream)),
      opa: median(rounds.map((r) => r.cpu.opa)),
      machineBusy: median(rounds.map((r) => r.cpu.machineBusy)),
    },
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

function medianPauses(rounds: Pauses[]): Pauses | null {
  if (rounds.length === 0) return null;
  const m = (f: (p: Pauses) => number) => median(rounds.map(f));
  return {
    loopDelayMs: { p50: m((p) => p.loopDelayMs.p50), p99: m((p) => p.loopDelayMs.p99), p999: m((p) => p.loopDelayMs.p999), max: m((p) => p.loopDelayMs.max) },
    gc: { count: m((p) => p.gc.count), totalMs: m((p) => p.gc.totalMs), maxMs: m((p) => p.gc.maxMs), over1Ms: m((p) => p.gc.over1Ms) },
  };
}

/** One measurement, with the CPU time each involved process used per answered request. */
async function measured(t: Target, run: () => Promise<LoadResult>): Promise<LoadResult & { cpu: CpuPerRequest }> {
  const pid = (s: Service) => s.child.pid;
  const upstream = t.helpers.find((h) => h.name === 'upstream')?.service;
  const opa = t.helpers.find((h) => h.name === 'opa')?.service;
  const before = [treeCpuMs(pid(t.service)), cpuMs(upstream && pid(upstream)), cpuMs(opa && pid(opa))];
  const machineBefore = machineCpu();
  const r = await run();
  const machineAfter = machineCpu();
  const after = [treeCpuMs(pid(t.service)), cpuMs(upstream && pid(upstream)), cpuMs(opa && pid(opa))];
  const per = (i: number) => ((after[i]! - before[i]!) * 1000) / Math.max(1, r.requests);
  const machineBusy = (machineAfter.busy - machineBefore.busy) / Math.max(1, machineAfter.total - machineBefore.total);
  return { ...r, cpu: { front: per(0), upstream: per(1), opa: per(2), machineBusy } };
}

export interface Request {
  path: string;
  headers: Record<string, string>;
  /** The realistic mix (bench/lib/mix.ts): sent in turn instead of `path` with `headers`. */
  mix?: { path: string; headers: Record<string, string> }[];
}

export async function throughput(mode: Mode, targets: Target[], req: Request, log: (s: string) => void): Promise<Summary[]> {
  const { warmupSec, rounds, durationSec } = mode.throughput;
  const results = new Map<string, (LoadResult & { cpu: CpuPerRequest })[]>(targets.map((t) => [t.key, []]));
  if (warmupSec > 0) {
    for (const t of targets) {
      await load({ url: t.service.url + req.path, headers: req.headers, ...(req.mix && { requests: req.mix }), connections: mode.connections, durationSec: warmupSec });
    }
  }
  for (let round = 1; round <= rounds; round++) {
    for (const t of targets) {
      const r = await measured(t, () => load({ url: t.service.url + req.path, headers: req.headers, ...(req.mix && { requests: req.mix }), connections: mode.connections, durationSec }));
      results.get(t.key)!.push(r);
      log(`  round ${round}/${rounds} ${t.label}: ${Math.round(r.rps)} rps, p99 ${r.p99} ms, CPU ${Math.round(r.cpu.front)} µs/req${r.non2xx || r.errors ? ` (${r.non2xx} non-2xx, ${r.errors} errors)` : ''}`);
    }
  }
  return targets.map((t) => summarise(t, results.get(t.key)!));
}

export interface FixedRateResult {
  /** Share of the bare proxy's measured capacity. */
  share: number;
  rate: number;
  summaries: Summary[];
  /** In-process stage histograms of each gateway target over its fixed-rate runs. */
  stages: Record<string, Record<Stage, HistogramSnapshot> | null>;
  /** Event-loop delay and GC pauses of each target (bench/lib/pauses.ts), medians over its rounds. */
  pauses: Record<string, Pauses | null>;
}

export async function fixedRate(mode: Mode, targets: Target[], req: Request, share: number, rate: number, log: (s: string) => void): Promise<FixedRateResult> {
  const { rounds, durationSec } = mode.fixedRate;
  const results = new Map<string, (LoadResult & { cpu: CpuPerRequest })[]>(targets.map((t) => [t.key, []]));
  const pauses = new Map<string, Pauses[]>(targets.map((t) => [t.key, []]));
  for (const t of targets) if (t.gateway) await benchCall(t.service, 'stages/on', 'POST');
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const t of targets) {
        await benchCall(t.service, 'pauses/on', 'POST');
        const r = await measured(t, () => fixedRateLoad({ url: t.service.url + req.path, headers: req.headers, ...(req.mix && { mix: req.mix }), connections: mode.connections, durationSec, rate }));
        const p = await benchCall<Pauses | null>(t.service, 'pauses');
        await benchCall(t.service, 'pauses/off', 'POST');
        if (p !== null) pauses.get(t.key)!.push(p);
        results.get(t.key)!.push(r);
        log(`  round ${round}/${rounds} ${t.label} at ${rate} rps: p50 ${r.p50} ms, p99 ${r.p99} ms`);
      }
    }
    const stages: FixedRateResult['stages'] = {};
    for (const t of targets) if (t.gateway) stages[t.key] = await benchCall(t.service, 'stages');
    return { share, rate, summaries: targets.map((t) => summarise(t, results.get(t.key)!)), stages, pauses: Object.fromEntries(targets.map((t) => [t.key, medianPauses(pauses.get(t.key)!)])) };
  } finally {
    for (const t of targets) if (t.gateway) await benchCall(t.service, 'stages/off', 'POST');
  }
}
