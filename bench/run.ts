// `npm run bench`: the gateway against the upstream alone, a bare proxy and
// the same gateway asking an OPA server per request; added latency at a fixed
// rate; the policy micro-benchmark; revocation propagation across two
// gateways; cold paths; memory over 1,000,000 requests. Every server is a
// child process on loopback; this process only generates load and measures.
//
//   npm run bench                      full run (~8 min on 2 cores), report on stdout
//   npm run bench -- --quick           (or BENCH_QUICK=1) smoke run: the scripts work; figures meaningless
//   npm run bench -- --only=throughput,policy   some parts only (throughput, fixed-rate, policy, revocation, cold, memory)
//   npm run bench -- --seconds=3 --rounds=1   shorter throughput and fixed-rate parts
//   npm run bench -- --requests=200000 --cycles=5   fewer memory requests, revocation cycles
//   npm run bench -- --pin[=1/0]      the process under test (and the OPA sidecar) on CPU 1, everything else on CPU 0
//   npm run bench -- --write-results   also replace the figures in bench/RESULTS.md (full mode only)
//
// The report also lands in build/bench/last-run.md and .json.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { modes } from './lib/mode.ts';
import { renderReport, type RunResult } from './lib/report.ts';
import { OPA_BIN, startServers, type Pinning, type Servers } from './lib/servers.ts';
import { decisionLogCounts } from './lib/decision-log-count.ts';
import { seedMix } from './lib/mix.ts';
import { openStack, operationsAcl, seedWorld, type SeededUser, type Stack } from './lib/stack.ts';
import type { PolicyBenchResult } from './policy.ts';
import { coldPaths } from './stages/cold.ts';
import { memory } from './stages/memory.ts';
import { revocation } from './stages/revocation.ts';
import { fixedRate, throughput, type Target } from './stages/throughput.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick') || process.env['BENCH_QUICK'] === '1';
const numberArg = (name: string) => {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? undefined : Number(a.slice(name.length + 3));
};
const mode = structuredClone(modes[quick ? 'quick' : 'full']);
// Shorter or longer runs of the throughput and fixed-rate parts (debugging on a busy machine).
const seconds = numberArg('seconds');
const rounds = numberArg('rounds');
if (seconds !== undefined) mode.throughput.durationSec = mode.fixedRate.durationSec = seconds;
if (rounds !== undefined) mode.throughput.rounds = mode.fixedRate.rounds = rounds;
const requests = numberArg('requests');
if (requests !== undefined) mode.memory.requests = requests;
const cycles = numberArg('cycles');
if (cycles !== undefined) mode.revocation.cycles = cycles;
const parts = ['throughput', 'fixed-rate', 'policy', 'revocation', 'cold', 'memory'] as const;
const onlyArg = args.find((a) => a.startsWith('--only='));
const only = new Set(onlyArg ? onlyArg.slice('--only='.length).split(',') : parts);
for (const p of only) if (!(parts as readonly string[]).includes(p)) throw new Error(`unknown part ${p}; parts: ${parts.join(', ')}`);
const writeResults = args.includes('--write-results');
// --pin[=front/rest]: the process under test on its own CPU(s), everything this script starts on the others (default 1/0).
const pinArg = args.find((a) => a === '--pin' || a.startsWith('--pin='));
const pin: Pinning | null = pinArg === undefined ? null : (() => {
  const [front, rest] = (pinArg.includes('=') ? pinArg.slice(6) : '1/0').split('/');
  return { front: front!, rest: rest! };
})();
if (pin) execFileSync('taskset', ['-a', '-pc', pin.rest, String(process.pid)], { stdio: 'ignore' });
const t0 = performance.now();
const log = (s: string) => console.error(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${s}`);

function git(...a: string[]): string {
  try {
    return execFileSync('git', a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function machine(): RunResult['machine'] {
  let opa = 'unknown';
  try {
    opa = /Version: (\S+)/.exec(execFileSync(OPA_BIN, ['version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  } catch {
    // reported as unknown
  }
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    opa,
    commit: `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? ' (with uncommitted changes)' : ''}`,
    loadAverageAtStart: loadavg(),
    startedAt: new Date().toISOString(),
  };
}

/** The policy micro-benchmark in a process of its own. */
async function policyChild(): Promise<PolicyBenchResult> {
  // On one core: the front CPU when pinned (idle at this point), else wherever the OS puts it.
  const node = [process.execPath, '--import', 'tsx', 'bench/policy.ts', '--json'];
  const child = spawn(pin ? 'taskset' : node[0]!, pin ? ['-c', pin.front, ...node] : node.slice(1), {
    env: { ...process.env, BENCH_MS: String(mode.policy.durationMs) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`bench/policy.ts exited with ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as PolicyBenchResult;
}

async function main(): Promise<RunResult> {
  const started = performance.now();
  const result: RunResult = { mode, command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`, machine: machine(), pin };
  log(`bench: ${mode.name} mode; parts: ${[...only].join(', ')}`);

  if (only.has('policy')) {
    log('policy micro-benchmark…');
    result.policy = await policyChild();
  }
  const needsStack = [...only].some((p) => p !== 'policy');
  if (!needsStack) return result;

  let stack: Stack | null = null;
  let servers: Servers | null = null;
  try {
    stack = await openStack();
    log(`database and Redis prefix ${stack.prefix} ready; starting servers…`);
    servers = await startServers(stack.env, pin);
    const s = servers;
    // Every gateway starts now, in parallel: the second one for revocation and a
    // fresh one for memory stay idle until their part.
    const [gateway, gatewayWarn, gatewayNoMemo, gatewayOpa, gatewayWorkers, second, fresh, world] = await Promise.all([
      s.gateway('gateway', { memo: true, engine: 'wasm' }),
      s.gateway('gateway, LOG_LEVEL=warn', { memo: true, engine: 'wasm', logLevel: 'warn' }),
      s.gateway('gateway, memo off', { memo: false, engine: 'wasm' }),
      s.gateway('gateway → OPA', { memo: false, engine: 'opa-http' }),
      only.has('throughput') ? s.gateway('gateway, 2 workers', { memo: true, engine: 'wasm', workers: 2 }) : null,
      only.has('revocation') ? s.gateway('gateway 2', { memo: true, engine: 'wasm' }) : null,
      only.has('memory') ? s.gateway('gateway (memory)', { memo: true, engine: 'wasm' }) : null,
      seedWorld(stack.deps, 30),
    ]);
    const mix = await seedMix(stack.deps, world);
    result.mix = { users: mix.users, merchants: mix.merchants, requests: mix.requests.length };
    const role = await world.role(operationsAcl);
    const loadUser: SeededUser = await world.user({ roleId: role, merchantsAccess: world.merchants.slice(0, 20) });
    // One request (revocation, cold paths) and the realistic mix (throughput, fixed rate).
    const one = { path: '/orders', headers: { authorization: `Bearer ${loadUser.token}`, 'x-merchant-id': loadUser.merchantsAccess[7]! } };
    const req = { ...one, mix: mix.requests };
    const up = [{ name: 'upstream' as const, service: s.upstream }];
    const targets: Target[] = [
      { key: 'upstream', label: '(1) upstream alone', service: s.upstream, gateway: false, helpers: [] },
      { key: 'bare', label: '(2) bare Fastify proxy, no auth', service: s.bare, gateway: false, helpers: up },
      { key: 'gateway', label: '(3) gateway at its defaults (LOG_LEVEL=info, every decision logged to stdout)', service: gateway, gateway: true, helpers: up },
      { key: 'gatewayWarn', label: '(3w) gateway, LOG_LEVEL=warn (no decision log)', service: gatewayWarn, gateway: true, helpers: up },
      { key: 'gatewayNoMemo', label: '(3b) gateway, wasm, decision memo off', service: gatewayNoMemo, gateway: true, helpers: up },
      { key: 'opa', label: '(4) gateway → OPA server over HTTP per request', service: gatewayOpa, gateway: true, helpers: [...up, { name: 'opa', service: s.opa }] },
      // GATEWAY_WORKERS=2 on this machine's two cores: its CPU is the primary's and both workers'.
      // Not `gateway`: its /__bench routes (stage timers) would answer from whichever worker took the connection.
      ...(gatewayWorkers ? [{ key: 'gatewayWorkers', label: '(3x2) gateway at its defaults, GATEWAY_WORKERS=2', service: gatewayWorkers, gateway: false, helpers: up }] : []),
    ];
    // Every request of the mix is allowed (checked once on the gateway), and every configuration answers.
    const checks = [one, ...mix.requests];
    for (let i = 0; i < checks.length; i += 32) {
      await Promise.all(checks.slice(i, i + 32).map(async (r) => {
        const res = await fetch(gateway.url + r.path, { headers: r.headers });
        if (res.status !== 200) throw new Error(`the gateway answered ${r.path} with ${res.status}: ${await res.text()}`);
      }));
    }
    for (const t of targets) {
      const res = await fetch(t.service.url + one.path, { headers: one.headers });
      if (res.status !== 200) throw new Error(`${t.label} answered ${res.status}: ${await res.text()}`);
    }

    let capacity = NaN;
    if (only.has('throughput') || only.has('fixed-rate') || only.has('revocation')) {
      log('throughput…');
      const all = only.has('throughput') ? targets : targets.filter((t) => t.key === 'bare');
      result.throughput = await throughput(mode, all, req, log);
      capacity = result.throughput.find((s) => s.key === 'bare')!.rps;
      // Completeness of the decision log at the defaults: every decision an event, none dropped.
      result.decisionLog = await decisionLogCounts(gateway);
      if (!only.has('throughput')) delete result.throughput;
    }
    // A part that fails is reported and the others still run; the exit code says so.
    const part = async (name: string, run: () => Promise<void>) => {
      try {
        await run();
      } catch (err) {
        log(`${name} failed: ${(err as Error).stack ?? String(err)}`);
        (result.failures ??= []).push(`${name}: ${(err as Error).message}`);
      }
    };
    if (only.has('fixed-rate')) {
      await part('fixed rate', async () => {
        result.fixedRate = [];
        for (const share of mode.fixedRate.shares) {
          const rate = Math.round(capacity * share);
          log(`fixed rate ${rate} req/s (${share * 100} % of the bare proxy's capacity)…`);
          const front = targets.filter((t) => ['bare', 'gateway', 'gatewayWarn', 'gatewayWorkers'].includes(t.key));
          result.fixedRate.push(await fixedRate(mode, front, req, share, rate, log));
        }
      });
    }
    if (second) {
      await part('revocation', async () => {
        log('revocation propagation…');
        result.revocation = await revocation(
          mode,
          { controlPlane: s.controlPlane, gateways: [gateway, second], world, redisUrl: stack!.env['REDIS_URL']!, prefix: stack!.prefix },
          loadUser,
          capacity,
          log,
        );
      });
      await second.stop();
    }
    if (only.has('cold')) {
      await part('cold paths', async () => {
        log('cold paths…');
        result.cold = await coldPaths(mode, gateway, stack!.redis, loadUser, log);
      });
    }
    if (fresh) {
      await part('memory', async () => {
        log(`memory over ${mode.memory.requests} requests…`);
        await Promise.all([gateway.stop(), gatewayWarn.stop(), gatewayNoMemo.stop(), gatewayOpa.stop(), gatewayWorkers?.stop()]);
        const users: SeededUser[] = [];
        for (let i = 0; i < mode.memory.users; i++) {
          const n = 1 + (i % 20);
          const from = i % world.merchants.length;
          const access = Array.from({ length: n }, (_, k) => world.merchants[(from + k) % world.merchants.length]!);
          users.push(await world.user({ roleId: role, merchantsAccess: access }));
        }
        result.memory = await memory(mode, fresh, users, world.merchants, log);
      });
    }
    return result;
  } finally {
    result.durationSec = (performance.now() - started) / 1000;
    await servers?.stopAll().catch((err: unknown) => log(`stopping servers: ${String(err)}`));
    await stack?.close().catch((err: unknown) => log(`dropping the bench database: ${String(err)}`));
  }
}

const result = await main();
const report = renderReport(result);
await mkdir('build/bench', { recursive: true });
await writeFile('build/bench/last-run.md', report);
await writeFile('build/bench/last-run.json', JSON.stringify(result, null, 2));
if (writeResults) {
  if (quick) throw new Error('--write-results is for full runs only');
  const file = 'bench/RESULTS.md';
  const text = await readFile(file, 'utf8');
  const begin = '<!-- bench:figures:begin -->';
  const end = '<!-- bench:figures:end -->';
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${file} lacks the ${begin} … ${end} markers`);
  await writeFile(file, `${text.slice(0, a + begin.length)}\n\n${report}\n${text.slice(b)}`);
  log(`figures written to ${file}`);
}
process.stdout.write(report);
process.exit(result.failures?.length ? 1 : 0);
