// Starts a real control plane on an ephemeral port for a test file.
import type { FastifyInstance } from 'fastify';
import { buildControlPlane } from '../../src/app/build.ts';
import { closeControlPlaneDeps, createControlPlaneDeps } from '../../src/app/create-deps.ts';
import type { ControlPlaneDeps } from '../../src/app/deps.ts';
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
