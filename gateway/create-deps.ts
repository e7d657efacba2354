import type { Config } from '../src/config/env.ts';
import { openOrm } from '../src/db/orm.ts';
import { connectRedis, createRedis } from '../src/infra/redis.ts';
import { PolicyEngine } from '../src/policy/engine.ts';
import type { GatewayDeps } from './deps.ts';
import { loadRouteTable } from './route-table.ts';

export async function createGatewayDeps(config: Config): Promise<GatewayDeps> {
  // Refuse to start without a valid route table and policy: fail closed.
  const routes = loadRouteTable(config.GATEWAY_ROUTES);
  const policy = await PolicyEngine.load(config.POLICY_DIR);
  const orm = await openOrm(config.DATABASE_URL);
  const redis = createRedis({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, name: 'gateway' });
  await connectRedis(redis);
  return { config, orm, redis, policy, routes };
}

export async function closeGatewayDeps(deps: GatewayDeps): Promise<void> {
  deps.redis.disconnect();
  await deps.orm.close();
}
