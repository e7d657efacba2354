// Control plane entry point: validate configuration, migrate, listen, and
// shut down gracefully on SIGINT/SIGTERM.
import { closeGracefully } from '../core/infra/graceful-close.ts';
import type { FastifyBaseLogger } from 'fastify';
import { ConfigError, loadConfig } from './config/env.ts';
import { migrate, requireMigrated } from './db/orm.ts';
import { buildControlPlane } from './app/build.ts';
import { closeControlPlaneDeps, createControlPlaneDeps } from './app/create-deps.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  // The app's logger exists only after the deps it needs; late-bind it.
  const late: { log?: FastifyBaseLogger } = {};
  const deps = await createControlPlaneDeps(config, (err) => late.log?.warn({ err }, 'authorization change not published'));
  if (config.MIGRATE_ON_START) await migrate(deps.orm);
  else await requireMigrated(deps.orm);
  const app = await buildControlPlane(deps);
  late.log = app.log;
  closeGracefully(app, () => closeControlPlaneDeps(deps));
  await app.listen({ host: config.HOST, port: config.CONTROL_PLANE_PORT });
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
