// GATEWAY_WORKERS=N: N gateway processes sharing GATEWAY_PORT through
// node:cluster (the primary accepts and hands connections round-robin). Each
// worker is a whole gateway — its own caches, policy engine, Redis
// connections and subscription to the change channel — exactly as N gateways
// on N ports would be, so a revocation reaches every worker the way it
// reaches every gateway. The primary only supervises: it restarts a worker
// that dies (after a pause that grows when workers keep dying at once, so a
// gateway that cannot boot does not spin), and on SIGTERM or SIGINT it asks
// every worker to shut down gracefully (each drains its requests and flushes
// its decision log) and exits when they have.
import cluster, { type Worker } from 'node:cluster';

export interface PrimaryOptions {
  workers: number;
  /** Where the primary's few lines go (stderr: stdout carries the workers' decision logs). */
  say?: (line: string) => void;
  /** Longest wait for workers to stop before they are killed. */
  stopMs?: number;
}

export function runPrimary(o: PrimaryOptions): void {
  const say = o.say ?? ((line: string) => process.stderr.write(`${JSON.stringify({ level: 40, time: Date.now(), name: 'gateway', msg: line })}\n`));
  let stopping = false;
  let recentDeaths = 0;
  const fork = () => cluster.fork();

  cluster.on('exit', (worker: Worker, code: number | null, signal: string | null) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    recentDeaths++;
    setTimeout(() => recentDeaths--, 60_000).unref();
    const delay = Math.min(30_000, 100 * 2 ** Math.min(recentDeaths - 1, 9));
    say(`gateway worker ${worker.process.pid} exited (code ${code}, signal ${signal}); restarting in ${delay} ms`);
    setTimeout(() => {
      if (!stopping) fork();
    }, delay);
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    if (workers.length === 0) process.exit(0);
    for (const w of workers) w.process.kill(signal);
    setTimeout(() => {
      for (const w of workers) if (!w.isDead()) w.process.kill('SIGKILL');
      process.exit(1);
    }, o.stopMs ?? 15_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGTERM'));
  // SIGHUP reloads the policy in every worker.
  process.on('SIGHUP', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGHUP');
  });

  for (let i = 0; i < o.workers; i++) fork();
}
