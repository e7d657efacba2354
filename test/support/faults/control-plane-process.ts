// A control plane as its own OS process (`node --import tsx src/server.ts`),
// so a test can SIGKILL it at a chosen moment (right after a COMMIT) and see
// that nothing it would have done afterwards was needed. Configured through
// the environment: this run's (keys, database, Redis prefix) plus overrides.
import { once } from 'node:events';
import { testEnv } from '../env.ts';
import { freePort } from '../redis-server.ts';
import { spawnService } from './gateway-process.ts';

export interface ControlPlaneProcess {
  url: string;
  /** SIGKILL: no shutdown hook, no after-commit work, nothing flushed. */
  kill: () => Promise<void>;
  stop: () => Promise<void>;
}

/** Starts a control plane process and waits until it answers /healthz (setup, bounded by 30 s). */
export async function startControlPlaneProcess(overrides: Record<string, string> = {}): Promise<ControlPlaneProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // The run's database is migrated already (test/global-setup.ts).
  const { child, stderr } = spawnService('src/server.ts', { ...testEnv(), MIGRATE_ON_START: 'false', CONTROL_PLANE_PORT: String(port), ...overrides });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`control plane exited with ${child.exitCode}: ${stderr()}`);
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) throw new Error(`control plane did not start in 30 s: ${stderr()}`);
    // Waiting for a process to boot (setup, not a propagation wait).
    await new Promise((r) => setTimeout(r, 50));
  }
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  };
  return { url, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}
