// The run's figures as Markdown: the machine, every table, and each target
// of docs/architecture.md#performance-targets with its measured figure and whether it holds.
import type { Summary, FixedRateResult } from '../stages/throughput.ts';
import type { RevocationResult } from '../stages/revocation.ts';
import type { MemoryResult } from '../stages/memory.ts';
import type { ColdCase } from '../stages/cold.ts';
import type { PolicyBenchResult } from '../policy.ts';
import type { DecisionLogCounts } from './decision-log-count.ts';
import type { Mode } from './mode.ts';
import { fmt, table } from './stats.ts';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  opa: string;
  commit: string;
  loadAverageAtStart: number[];
  startedAt: string;
}

export interface RunResult {
  mode: Mode;
  command: string;
  machine: Machine;
  durationSec?: number;
  /** CPUs of the process under test and of everything else, when pinned (--pin). */
  pin?: { front: string; rest: string } | null;
  /** Parts that failed (the others still ran). */
  failures?: string[];
  /** The realistic mix the throughput and fixed-rate parts send (bench/lib/mix.ts). */
  mix?: { users: number; merchants: number; requests: number };
  throughput?: Summary[];
  /** The defaults gateway's decision log after the throughput part. */
  decisionLog?: DecisionLogCounts;
  fixedRate?: FixedRateResult[];
  policy?: PolicyBenchResult;
  revocation?: RevocationResult;
  cold?: ColdCase[];
  memory?: MemoryResult;
}

interface Verdict {
  target: string;
  figure: string;
  holds: boolean | null;
}

export function verdicts(r: RunResult): Verdict[] {
  const out: Verdict[] = [];
  const by = (key: string) => r.throughput?.find((s) => s.key === key);
  const gw = by('gateway');
  const bare = by('bare');
  const opa = by('opa');
  if (gw && bare) {
    const x = gw.rps / bare.rps;
    out.push({ target: 'gateway at its defaults ≥ 0.90 × bare proxy in req/s (realistic mix)', figure: `${fmt.ratio(x)} ×`, holds: x >= 0.9 });
    const c = bare.cpu.front / gw.cpu.front;
    out.push({
      target: 'gateway at its defaults ≥ 0.90 × bare proxy by CPU per request (bare µs ÷ gateway µs)',
      figure: `${fmt.ratio(c)} × (${fmt.int(gw.cpu.front)} against ${fmt.int(bare.cpu.front)} µs)`,
      holds: c >= 0.9,
    });
  }
  const workers = by('gatewayWorkers');
  if (gw && bare && workers) {
    // Not a target: how far GATEWAY_WORKERS=2 moves the gateway on this machine (figure only).
    out.push({
      target: 'GATEWAY_WORKERS=2 against one gateway process (req/s; bare proxy ratio)',
      figure: `${fmt.ratio(workers.rps / gw.rps)} × one process; ${fmt.ratio(workers.rps / bare.rps)} × bare`,
      holds: null,
    });
  }
  if (r.decisionLog) {
    const d = r.decisionLog;
    out.push({
      target: 'decision events complete at the defaults (every decision an event, by count)',
      figure: `${fmt.int(d.decisions)} decisions, ${fmt.int(d.written + d.uploaded)} events written, ${fmt.int(d.dropped)} dropped`,
      holds: d.written + d.uploaded === d.decisions && d.dropped === 0,
    });
  }
  const target = r.fixedRate?.[0];
  if (target) {
    const f = (key: string) => target.summaries.find((s) => s.key === key);
    const b = f('bare');
    const g = f('gateway');
    if (b && g) {
      const added = g.p99 - b.p99;
      out.push({ target: `added p99 ≤ 1 ms at ${fmt.int(target.rate)} rps (${target.share * 100} % of bare capacity)`, figure: `${fmt.ms(added)} ms`, holds: added <= 1 });
    }
  }
  if (gw && opa) {
    const x = gw.rps / opa.rps;
    out.push({ target: 'gateway ≥ 2 × gateway calling an OPA server per request', figure: `${fmt.ratio(x)} ×`, holds: x >= 2 });
  }
  if (r.policy) {
    const p = r.policy.gatewayPath.realistic;
    out.push({
      target: 'policy evaluation ≥ 100,000 decisions/s on one core (realistic input, the gateway\'s path)',
      figure: `${fmt.int(p.decisionsPerSecond)} /s`,
      holds: p.decisionsPerSecond >= 100_000,
    });
  }
  if (r.revocation) {
    const v = r.revocation.revocations;
    out.push({
      target: 'revocation denied by every gateway within 100 ms p99',
      figure: `p99 ${fmt.ms(v.p99)} ms over ${v.count} denials${v.missed ? `, ${v.missed} not seen in time` : ''}`,
      holds: v.p99 <= 100 && v.missed === 0,
    });
  }
  if (r.memory) {
    const m = r.memory;
    const steady = m.heapGrowthSteadyBytes;
    out.push({
      target: `no memory growth over ${fmt.int(m.requests)} requests`,
      figure: `heap after GC ${steady >= 0 ? '+' : ''}${fmt.mb(steady)} MB from the first quarter to the last`,
      holds: steady < 2 * 1024 * 1024,
    });
  }
  return out;
}

export function renderReport(r: RunResult): string {
  const m = r.machine;
  const parts: string[] = [];
  parts.push(`Run: \`${r.command}\` (${r.mode.name} mode), ${m.startedAt}, commit ${m.commit}${r.durationSec ? `, ${Math.round(r.durationSec)} s` : ''}.`);
  parts.push(
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}, OPA ${m.opa}; load average at start ${m.loadAverageAtStart.map((x) => x.toFixed(2)).join(' ')}. ` +
      `Everything (load generator, servers, PostgreSQL, Redis) on this one machine, over loopback` +
      (r.pin ? `; the process under test (and the OPA sidecar) pinned to CPU ${r.pin.front}, the load generator, upstream and control plane to CPU ${r.pin.rest}.` : '; no CPU pinning.'),
  );

  if (r.failures?.length) parts.push(`**Parts that failed:** ${r.failures.map((f) => `\`${f}\``).join('; ')}.`);

  const v = verdicts(r);
  if (v.length) {
    parts.push('### Targets (docs/architecture.md#performance-targets)');
    parts.push(table(['target', 'measured', 'holds'], v.map((x) => [x.target, x.figure, x.holds === null ? '—' : x.holds ? 'yes' : '**no**'])));
  }

  if (r.throughput) {
    const bare = r.throughput.find((s) => s.key === 'bare');
    const opa = r.throughput.find((s) => s.key === 'opa');
    parts.push(`### Throughput (${r.mode.connections} connections, ${r.mode.throughput.rounds} × ${r.mode.throughput.durationSec} s per configuration, alternating; medians)`);
    if (r.mix) {
      parts.push(`Requests: the realistic mix, ${fmt.int(r.mix.requests)} distinct GETs (varied paths and query strings over three modules) by ${r.mix.users} users of every kind (tenant, reseller with 1–29 merchants, merchant) over ${r.mix.merchants} merchants, all allowed, cycled by every connection; the same list for every configuration.`);
    }
    parts.push(
      table(
        ['configuration', 'req/s', 'p50 ms', 'p97.5 ms', 'p99 ms', '÷ bare proxy', '÷ OPA sidecar', 'CPU µs/req: front', 'upstream', 'OPA', 'non-2xx / errors'],
        r.throughput.map((s) => [
          s.label,
          fmt.int(s.rps),
          fmt.ms(s.p50),
          fmt.ms(s.p97_5),
          fmt.ms(s.p99),
          bare ? fmt.ratio(s.rps / bare.rps) : '—',
          opa ? fmt.ratio(s.rps / opa.rps) : '—',
          fmt.int(s.cpu.front),
          s.key === 'upstream' ? '—' : fmt.int(s.cpu.upstream),
          s.key === 'opa' ? fmt.int(s.cpu.opa) : '—',
          `${s.non2xx} / ${s.errors}`,
        ]),
      ),
    );
    const gw = r.throughput.find((s) => s.key === 'gateway');
    if (bare && gw && opa) {
      parts.push(
        `CPU per request is each process's user + system time (all threads, from /proc) over the requests it answered; it stretches far ` +
          `less than elapsed time when the machine is shared. By it, a gateway with a core of its own would serve ` +
          `${fmt.ratio(bare.cpu.front / gw.cpu.front)} × the bare proxy's requests (${fmt.int(gw.cpu.front)} µs against ${fmt.int(bare.cpu.front)} µs), ` +
          `and the sidecar design spends ${fmt.int(opa.cpu.front + opa.cpu.opa)} µs per request in gateway and OPA server together, ` +
          `${fmt.ratio((opa.cpu.front + opa.cpu.opa) / gw.cpu.front)} × the embedded gateway's.`,
      );
    }
  }

  for (const f of r.fixedRate ?? []) {
    const bare = f.summaries.find((s) => s.key === 'bare');
    parts.push(
      `### Added latency at a fixed ${fmt.int(f.rate)} req/s (${f.share * 100} % of the bare proxy's capacity; open loop, ` +
        `${r.mode.connections} connections, ${r.mode.fixedRate.rounds} × ${r.mode.fixedRate.durationSec} s, medians)`,
    );
    parts.push(
      table(
        ['configuration', 'achieved req/s', 'p50 ms', 'p97.5 ms', 'p99 ms', 'added p50 ms', 'added p99 ms', 'CPU µs/req', 'machine CPU busy'],
        f.summaries.map((s) => [
          s.label,
          fmt.int(s.rps),
          fmt.ms(s.p50),
          fmt.ms(s.p97_5),
          fmt.ms(s.p99),
          bare && s !== bare ? fmt.ms(s.p50 - bare.p50) : '—',
          bare && s !== bare ? fmt.ms(s.p99 - bare.p99) : '—',
          fmt.int(s.cpu.front),
          Number.isFinite(s.cpu.machineBusy) ? `${Math.round(s.cpu.machineBusy * 100)} %` : '—',
        ]),
      ),
    );
    parts.push(
      'Machine CPU busy: the share of both cores that was busy during the run (/proc/stat): load generator, upstream, ' +
        'proxy, PostgreSQL and Redis together. A proxy is one process on one core; the stage timings below are its own ' +
        'time per request, so the rest of a p99 is waiting: for its core, its event loop or a garbage collection.',
    );
    const pauseRows = f.summaries.flatMap((s) => {
      const p = f.pauses?.[s.key];
      return p ? [[s.label, fmt.ms(p.loopDelayMs.p50), fmt.ms(p.loopDelayMs.p99), fmt.ms(p.loopDelayMs.p999), fmt.ms(p.loopDelayMs.max), fmt.int(p.gc.count), fmt.ms(p.gc.totalMs), fmt.ms(p.gc.maxMs), fmt.int(p.gc.over1Ms)]] : [];
    });
    if (pauseRows.length) {
      parts.push(
        `Pauses inside each server during those runs (medians over rounds; bench/lib/pauses.ts): event-loop delay is how late a timer due every millisecond ran, so how long a request arriving then waited for the loop; GC pauses from the runtime's own observer, per ${r.mode.fixedRate.durationSec} s run.`,
      );
      parts.push(table(['configuration', 'loop delay p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'GC pauses', 'GC total ms', 'GC max ms', 'GC pauses > 1 ms'], pauseRows));
    }
    const rows: string[][] = [];
    for (const [key, st] of Object.entries(f.stages)) {
      if (!st) continue;
      const label = f.summaries.find((s) => s.key === key)?.label ?? key;
      for (const [stage, h] of Object.entries(st)) {
        rows.push([label, stage, fmt.int(h.count), fmt.us(h.p50Us), fmt.us(h.p90Us), fmt.us(h.p99Us), fmt.us(h.p999Us), fmt.us(h.maxUs)]);
      }
    }
    if (rows.length) {
      parts.push('In-process stage timings during those runs (process.hrtime, µs): verify = path, route and token; resolve = principal records; decide = memo or policy; gate = all of it.');
      parts.push(table(['gateway', 'stage', 'samples', 'p50', 'p90', 'p99', 'p99.9', 'max'], rows));
    }
  }

  if (r.policy) {
    const p = r.policy;
    parts.push('### Policy micro-benchmark (one core, real bundle; rates from CPU time)');
    const row = (label: string, x: { decisionsPerSecond: number; microsPerDecision: number; wallMicrosPerDecision: number }) =>
      [label, fmt.int(x.decisionsPerSecond), fmt.us(x.microsPerDecision), fmt.us(x.wallMicrosPerDecision)];
    parts.push(
      table(['path', 'decisions/s', 'CPU µs/decision', 'elapsed µs/decision'], [
        row('SDK `LoadedPolicy.evaluate`, realistic input (20 listed merchants)', p.sdk.realistic),
        row('`engine.decide` (whole input as JSON), realistic', p.realistic),
        row('`engine.decide` (whole input as JSON), typical (no listed merchants)', p.typical),
        row('gateway path `engine.decidePrepared`, realistic', p.gatewayPath.realistic),
        row('gateway path `engine.decidePrepared`, typical', p.gatewayPath.typical),
      ]),
    );
    parts.push(
      `Input JSON ${p.inputBytes.realistic} B (realistic) / ${p.inputBytes.typical} B (typical). For \`engine.decide\`, JSON.stringify + UTF-8 encoding of the input is ` +
        `${fmt.pct(p.jsonEncodeShare)} of a realistic decision and JSON.parse of the result ${fmt.pct(p.jsonDecodeShare)}; the rest is the wasm ` +
        `(parsing the input JSON inside it, evaluating, writing the result). Prepared inputs: ${p.preparedMode}, ${fmt.int(p.arenaBytes / 1024)} KB parsed; ` +
        `wasm memory after the run: ${fmt.mb(p.wasmMemoryBytes)} MB.`,
    );
  }

  if (r.revocation) {
    const v = r.revocation;
    parts.push(`### Revocation propagation (2 gateways under ${fmt.int(v.backgroundRate)} req/s of background load)`);
    parts.push(
      table(
        ['changes', 'observations (× 2 gateways)', 'p50 ms', 'p99 ms', 'max ms', 'not seen in 2 s'],
        [
          ['revocations (first 403)', fmt.int(v.revocations.count), fmt.ms(v.revocations.p50), fmt.ms(v.revocations.p99), fmt.ms(v.revocations.max), String(v.revocations.missed)],
          ['restorations (first 200)', fmt.int(v.restorations.count), fmt.ms(v.restorations.p50), fmt.ms(v.restorations.p99), fmt.ms(v.restorations.max), String(v.restorations.missed)],
        ],
      ),
    );
    parts.push(table(['change', 'observations', 'p50 ms', 'p99 ms'], Object.entries(v.byKind).map(([k, s]) => [k, String(s.count), fmt.ms(s.p50), fmt.ms(s.p99)])));
    parts.push(
      `Times run from the control plane's commit stamp (Date.now() right after commit, in the change message) to the first answer reflecting the change ` +
        `on each gateway. Counted from the moment the admin request was sent (which adds the control plane's handling): revocation p99 ${fmt.ms(v.revocations.fromSendP99)} ms. ` +
        `Background load: ${v.background.map((b) => `${fmt.int(b.requests)} requests, ${b.non2xx} non-2xx`).join('; ')}.`,
    );
  }

  if (r.cold) {
    parts.push('### Cold paths (sequential requests on an idle gateway)');
    parts.push(
      table(
        ['case', 'client p50 ms', 'client p99 ms', 'verify p50 µs', 'resolve p50 µs', 'resolve p99 µs', 'decide p50 µs'],
        r.cold.map((c) => [c.label, fmt.ms(c.client.p50Ms), fmt.ms(c.client.p99Ms), fmt.us(c.stages.verify.p50Us), fmt.us(c.stages.resolve.p50Us), fmt.us(c.stages.resolve.p99Us), fmt.us(c.stages.decide.p50Us)]),
      ),
    );
  }

  if (r.memory) {
    const mem = r.memory;
    parts.push(`### Memory (${fmt.int(mem.requests)} requests over ${mem.users} users, after forced GC)`);
    parts.push(
      table(
        ['after requests', 'RSS MB', 'heap used MB', 'heap total MB', 'external MB', 'wasm memory MB'],
        mem.snapshots.map((s) => [fmt.int(s.afterRequests), fmt.mb(s.rssBytes), fmt.mb(s.heapUsedBytes), fmt.mb(s.heapTotalBytes), fmt.mb(s.externalBytes), fmt.mb(s.wasmMemoryBytes)]),
      ),
    );
    const rps = mem.runs.map((x) => fmt.int(x.rps)).join(', ');
    const non2xx = mem.runs.reduce((n, x) => n + x.non2xx, 0);
    parts.push(
      `Heap growth: ${fmt.mb(mem.heapGrowthBytes)} MB overall, ${fmt.mb(mem.heapGrowthSteadyBytes)} MB from the first quarter to the last; RSS ${fmt.mb(mem.rssGrowthBytes)} MB. ` +
        `Rate per quarter: ${rps} req/s; ${fmt.int(non2xx)} denials (one in twenty, by design).`,
    );
  }
  return parts.join('\n\n') + '\n';
}
