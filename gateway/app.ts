// The gateway: verify, resolve, decide, proxy (DESIGN.md 7). This file wires
// the Fastify instance; each step lives in its own module.
import Fastify, { type FastifyInstance } from 'fastify';
import { loggerOptions } from '../src/infra/logger.ts';
import { installErrorHandler } from '../src/http/error-handler.ts';
import type { GatewayDeps } from './deps.ts';

export interface GatewayBuildOptions {
  logger?: boolean;
}

export async function buildGateway(deps: GatewayDeps, opts: GatewayBuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger === false ? false : loggerOptions(deps.config.LOG_LEVEL, 'gateway'),
    requestIdHeader: false,
  });
  installErrorHandler(app);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const redis = await deps.redis.ping().then(() => true, () => false);
    const ready = deps.policy !== null && redis;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', redis, policy: deps.policy.revision });
  });
  return app;
}
