// Gateway entry point. Any number run side by side, each on its own
// GATEWAY_PORT, sharing Redis and PostgreSQL and nothing else; with
// GATEWAY_WORKERS=N this process supervises N of them on one port
// (gateway/cluster/primary.ts).
import cluster from 'node:cluster';
import { collectDefaultMetrics } from 'prom-client';
import { closeGracefully } from '../core/infra/graceful-close.ts';
import { ConfigError, loadGatewayConfig } from './config.ts';
import { buildGateway } from './app.ts';
import { runPrimary } from './cluster/primary.ts';
import { closeGatewayDeps, createGatewayDeps } from './create-deps.ts';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  if (config.GATEWAY_WORKERS > 1 && cluster.isPrimary) return runPrimary({ workers: config.GATEWAY_WORKERS });
  const deps = await createGatewayDeps(config);
  collectDefaultMetrics({ register: deps.metrics.registry });
  const app = await buildGateway(deps);
  // `kill -HUP <pid>` reloads the policy bundle now (the folder watch does it too).
  process.on('SIGHUP', () => void deps.policy.reload());
  closeGracefully(app, () => closeGatewayDeps(deps), ['SIGHUP']);
  await app.listen({ host: config.HOST, port: config.GATEWAY_PORT });
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
