// Starts a real gateway for a test: its own deps (PostgreSQL pool, Redis
// connections, caches, policy instance), listening on an ephemeral port, in
// front of the upstreams the test names. Start two for scale-out tests.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildGateway } from '../../gateway/app.ts';
import { closeGatewayDeps, createGatewayDeps, type GatewayDepsOptions } from '../../gateway/create-deps.ts';
import type { GatewayDeps } from '../../gateway/deps.ts';
import type { AuthzChange } from '../../core/changes/authz-changes.ts';
import type { ChangePath } from '../../gateway/principal/authz-subscriber.ts';
import { testGatewayConfig } from './env.ts';

export interface RunningGateway {
  deps: GatewayDeps;
  app: FastifyInstance;
  url: string;
  /** Resolves when this gateway has applied a change naming `kind:id` (heard by `via`, or by either path), with performance.now() at that moment. */
  applied: (kind: AuthzChange['kind'], id: string, via?: ChangePath) => Promise<number>;
  /** Resolves when this gateway's change channel is up (true) or down (false): at once if it already is. */
  channel: (live: boolean) => Promise<void>;
  close: () => Promise<void>;
}

export interface GatewayStartOptions {
  /** Route table file; its upstream URLs are replaced by `upstreams` (default test/support/routes.test.yaml). */
  routes?: string;
  /** Upstream URL in the file → the URL to use (e.g. the test's echo server). */
  upstreams?: Record<string, string>;
  /** Environment overrides (CONTROL_PLANE_URL, REDIS_URL, POLICY_DIR, …). */
  env?: Record<string, string>;
  deps?: GatewayDepsOptions;
}

export async function startGateway(opts: GatewayStartOptions = {}): Promise<RunningGateway> {
  let table = await readFile(opts.routes ?? 'test/support/routes.test.yaml', 'utf8');
  for (const [from, to] of Object.entries(opts.upstreams ?? {})) table = table.replaceAll(from, to.replace(/\/$/, ''));
  const dir = await mkdtemp(join(tmpdir(), 'iam-gw-'));
  const routesFile = join(dir, 'routes.yaml');
  await writeFile(routesFile, table);
  const deps = await createGatewayDeps(testGatewayConfig({ GATEWAY_ROUTES: routesFile, ...opts.env }), opts.deps);
  const app = await buildGateway(deps, { logger: false });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    deps,
    app,
    url,
    applied: (kind, id, via) =>
      new Promise((resolve) => {
        const off = deps.changes.onChange((c, _receivedAt, path) => {
          if (c.kind === kind && c.id === id && (via === undefined || via === path)) {
            off();
            resolve(performance.now());
          }
        });
      }),
    channel: (live) =>
      deps.changes.live === live
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const off = deps.changes.onStatus((now) => {
              if (now === live) {
                off();
                resolve();
              }
            });
          }),
    close: async () => {
      await app.close();
      await closeGatewayDeps(deps);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
