// Starts a real control plane on an ephemeral port for a test file.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildControlPlane } from '../../src/app/build.ts';
import { closeControlPlaneDeps, createControlPlaneDeps } from '../../src/app/create-deps.ts';
import type { ControlPlaneDeps } from '../../src/context/deps.ts';
import { testConfig } from './env.ts';

export interface RunningControlPlane {
  deps: ControlPlaneDeps;
  app: FastifyInstance;
  url: string;
  close: () => Promise<void>;
}

/** `port` 0 (default) is any free port; the browser tests pick theirs first, to put it in PUBLIC_URL. */
export async function startControlPlane(overrides: Record<string, string> = {}, port = 0): Promise<RunningControlPlane> {
  const deps = await createControlPlaneDeps(testConfig(overrides));
  const app = await buildControlPlane(deps, { logger: false });
  const url = await app.listen({ host: '127.0.0.1', port });
  return {
    deps,
    app,
    url,
    close: async () => {
      await app.close();
      await closeControlPlaneDeps(deps);
    },
  };
}

/**
 * A control plane for the whole test file: started before its first test,
 * closed after its last. The handle reads through to the running one, so
 * suites open with one line instead of the same beforeAll/afterAll block.
 */
export function useControlPlane(overrides: Record<string, string> = {}): RunningControlPlane {
  let running: RunningControlPlane | null = null;
  beforeAll(async () => {
    running = await startControlPlane(overrides);
  });
  afterAll(async () => {
    await running?.close();
  });
  const current = (): RunningControlPlane => {
    if (running === null) throw new Error('the control plane starts in beforeAll');
    return running;
  };
  return {
    get deps() {
      return current().deps;
    },
    get app() {
      return current().app;
    },
    get url() {
      return current().url;
    },
    close: () => current().close(),
  };
}
