// A gateway as its own OS process (`node --import tsx gateway/server.ts`),
// as production runs it: its own event loop, heap, PostgreSQL pool and Redis
// connections, so the soak measures two real processes and the boot tests see
// the real exit code. Configured only through the environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testEnv } from '../env.ts';
import { freePort } from '../redis-server.ts';
import { readMetric } from '../metrics.ts';

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** One Prometheus sample by exact series name (e.g. `process_resident_memory_bytes`). */
  metric: (series: string) => Promise<number>;
  /** `kill -HUP`: reload the policy bundle now. */
  hangUp: () => void;
  /** Resolves with the first log line (from now on) matching `pattern`; rejects after `ms`. */
  nextLog: (pattern: RegExp, ms?: number) => Promise<string>;
  stop: () => Promise<void>;
}

/** The gateway tests' route table with its upstreams pointed at `upstream`, in a temp folder. */
export async function routeTable(upstream: string): Promise<{ file: string; remove: () => Promise<void> }> {
  const text = (await readFile('test/gateway/routes.yaml', 'utf8')).replaceAll('http://upstream.test:1', upstream.replace(/\/$/, ''));
  const dir = await mkdtemp(join(tmpdir(), 'iam-faults-routes-'));
  const file = join(dir, 'routes.yaml');
  await writeFile(file, text);
  return { file, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** What a gateway needs from this run's environment (never the control plane's private keys). */
function gatewayEnv(overrides: Record<string, string>): Record<string, string> {
  const run = testEnv();
  const pick = ['DATABASE_URL', 'REDIS_URL', 'REDIS_KEY_PREFIX', 'POLICY_DIR'];
  return {
    ...Object.fromEntries(pick.map((k) => [k, run[k]!])),
    LOG_LEVEL: 'silent',
    ...overrides,
  };
}

export interface SpawnedService {
  child: ChildProcess;
  stderr: () => string;
  onLine: (f: (line: string) => void) => () => void;
}

/** Spawns a gateway process (killed if the test process exits first). */
export function spawnGateway(overrides: Record<string, string>): SpawnedService {
  return spawnService('gateway/server.ts', gatewayEnv(overrides));
}

/** Spawns `script` under tsx with exactly `env` (plus PATH and HOME), killed if the test process exits first. */
export function spawnService(script: string, env: Record<string, string>): SpawnedService {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // Log lines (pino, stdout) go to whoever listens; nothing is kept.
  const listeners = new Set<(line: string) => void>();
  let partial = '';
  child.stdout.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) for (const f of listeners) f(line);
  });
  // Never outlive the test process.
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
  return {
    child,
    stderr: () => stderr,
    onLine: (f) => {
      listeners.add(f);
      return () => listeners.delete(f);
    },
  };
}

/** Starts a gateway process and waits until it answers /healthz (setup, bounded by 30 s). */
export async function startGatewayProcess(overrides: Record<string, string>): Promise<GatewayProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { child, stderr, onLine } = spawnGateway({ GATEWAY_PORT: String(port), ...overrides });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}: ${stderr()}`);
    const up = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline) throw new Error(`gateway did not start in 30 s: ${stderr()}`);
    // Waiting for a process to boot (setup, not a propagation wait).
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    child,
    metric: async (series) => {
      const value = await readMetric(url, series);
      if (value === null) throw new Error(`no metric ${series}`);
      return value;
    },
    hangUp: () => child.kill('SIGHUP'),
    nextLog: (pattern, ms = 10_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          off();
          reject(new Error(`no log line matching ${pattern} within ${ms} ms`));
        }, ms);
        const off = onLine((line) => {
          if (!pattern.test(line)) return;
          clearTimeout(timer);
          off();
          resolve(line);
        });
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
