// Runs each benchmarked server in its own process, so the load generator
// (this process) and the server under test do not share an event loop.
// Every child is killed when the benchmark exits, however it exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface Service {
  name: string;
  port: number;
  url: string;
  child: ChildProcess;
  stop: () => Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Node flags before the script (e.g. --expose-gc). */
  nodeArgs?: string[];
  /**
   * Where the child prints `listening <port>`. A gateway prints it on stderr
   * so its stdout (the decision log) can go to /dev/null instead of through a
   * pipe the load generator would have to drain.
   */
  readyOn?: 'stdout' | 'stderr';
  /** Discard the child's stdout (default: keep it, it carries the ready line). */
  discardStdout?: boolean;
  /** Run on these CPUs only (`taskset -c`), e.g. "1". */
  cpus?: string;
}

/** `command args` wrapped in `taskset -c <cpus>` when asked (taskset execs: the pid is the command's). */
function pinned(cpus: string | undefined, command: string, args: string[]): [string, string[]] {
  return cpus === undefined ? [command, args] : ['taskset', ['-c', cpus, command, ...args]];
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
});

function service(name: string, port: number, child: ChildProcess, stderr: () => string): Service {
  running.add(child);
  let stopping = false;
  child.once('exit', (code, signal) => {
    running.delete(child);
    // A server dying in the middle of a run invalidates what follows: say so, with its last words.
    if (!stopping) console.error(`bench: ${name} exited unexpectedly (code ${code}, signal ${signal}):\n${stderr().slice(-4000)}`);
  });
  return {
    name,
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    stop: async () => {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Starts `node --import tsx <script>` and waits for it to print `listening <port>`. */
export async function startService(name: string, script: string, opts: StartOptions = {}): Promise<Service> {
  const readyOn = opts.readyOn ?? 'stdout';
  const [command, args] = pinned(opts.cpus, process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', script]);
  const child = spawn(command, args, {
    env: { ...process.env, LOG_LEVEL: 'silent', ...opts.env },
    stdio: ['ignore', opts.discardStdout ? 'ignore' : 'pipe', 'pipe'],
  });
  // Killed on exit even if it never becomes ready (a failed start must not leave it running).
  running.add(child);
  let stderr = '';
  const ready = readyOn === 'stdout' ? child.stdout! : child.stderr!;
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 20_000) stderr += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    // Generous: on a shared 2-core machine several gateways compile TypeScript at once.
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 600 s: ${stderr}`)), 600_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ready.off('data', onData);
        resolve(Number(m[1]));
      }
    };
    ready.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}: ${stderr}`));
    });
  });
  // Keep draining what is still piped, so a chatty child never blocks on a full pipe.
  child.stdout?.resume();
  return service(name, port, child, () => stderr);
}

/** Starts any command that serves HTTP on `port`, and waits until `readyPath` answers 200. */
export async function startCommand(
  name: string,
  command: string,
  args: string[],
  port: number,
  readyPath: string,
  env: Record<string, string> = {},
  cpus?: string,
): Promise<Service> {
  [command, args] = pinned(cpus, command, args);
  // Its output (stderr, and stdout where a service logs) is kept for a crash report.
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20_000);
  });
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 20_000) stderr += d.toString();
  });
  const s = service(name, port, child, () => stderr);
  const deadline = Date.now() + 600_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${stderr}`);
    const ok = await fetch(`${s.url}${readyPath}`).then((r) => r.ok, () => false);
    if (ok) return s;
    if (Date.now() > deadline) {
      await s.stop();
      throw new Error(`${name} not ready in 600 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A port free right now on 127.0.0.1 (for servers that cannot report the one they chose). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * CPU time (user + system, all threads) a process has used so far, in ms,
 * from /proc (Linux). CPU per request is the benchmark's contention-proof
 * figure: on a shared machine elapsed times stretch, CPU time much less.
 * NaN where /proc is not available.
 */
export function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** The machine's CPU jiffies so far, all cores: busy (not idle or waiting for I/O) and in all (Linux /proc/stat; NaN elsewhere). */
export function machineCpu(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    return { busy: total - ticks[3]! - ticks[4]!, total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

/**
 * CPU time of a process and every live descendant (a gateway started with
 * GATEWAY_WORKERS=N is a primary and N workers), in ms. NaN without /proc.
 */
export function treeCpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const parents = new Map<number, number>();
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      } catch {
        // gone since the listing
      }
    }
  } catch {
    return NaN;
  }
  let total = cpuMs(pid);
  const family = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [child, parent] of parents) {
      if (family.has(parent) && !family.has(child)) {
        family.add(child);
        const ms = cpuMs(child);
        if (Number.isFinite(ms)) total += ms;
        grew = true;
      }
    }
  }
  return total;
}

/** USER_HZ: 100 on every Linux the benchmark targets (`getconf CLK_TCK`). */
const CLOCK_TICKS = 100;
