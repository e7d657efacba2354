// The gateway: verify, resolve, decide, proxy (docs/architecture.md#a-gateway-request). This file wires
// the Fastify instance; each step lives in its own module. Its own endpoints
// are /healthz, /readyz and /metrics; every other path is the proxy route,
// whose onRequest hook (pipeline/gate.ts) decides before any body is read.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { clientTimeouts } from '../core/http/client-limits.ts';
import { installErrorHandler } from '../core/http/error-handler.ts';
import { redisReady } from '../core/infra/redis.ts';
import { frameworkErrors } from '../core/http/framework-errors.ts';
import { bodyTooLarge, capped } from './proxy/body-limit.ts';
import type { GatewayDeps } from './deps.ts';
import { createGate } from './pipeline/gate.ts';
import { registerProxy } from './proxy/forward.ts';
import { bundleDetails } from '../core/policy/bundle/active-policy.ts';

export interface GatewayBuildOptions {
  logger?: boolean;
}

const proxiedMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export async function buildGateway(deps: GatewayDeps, opts: GatewayBuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.logger === false ? { logger: false } : { loggerInstance: deps.log }),
    requestIdHeader: false,
    // The decision log is the per-request record; Fastify's two lines per
    // request would double the logging cost of the hot path.
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    return503OnClosing: true,
    ...clientTimeouts(deps.config),
    frameworkErrors,
  }) as unknown as FastifyInstance;
  installErrorHandler(app);
  app.decorateRequest('admission', null);
  app.decorateRequest('gatewayRoute', null);

  // Bodies stream through untouched: no parsing, no buffering; only their size
  // is watched (413 above GATEWAY_BODY_LIMIT_BYTES, declared or counted).
  app.removeAllContentTypeParsers();
  const bodyLimit = deps.config.GATEWAY_BODY_LIMIT_BYTES;
  app.addContentTypeParser('*', (request, payload, done) => {
    if (Number(request.headers['content-length']) > bodyLimit) return done(bodyTooLarge(bodyLimit));
    done(null, request.headers['content-length'] === undefined ? capped(payload, bodyLimit) : payload);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const [redis, postgres] = await Promise.all([
      // On a cluster: every slot served and every master answering (core/infra/redis.ts).
      redisReady(deps.redis),
      deps.postgres.query('select 1').then(() => true, () => false),
    ]);
    // Ready with a policy (always loaded: a gateway without one never starts),
    // the control plane's keys, and somewhere to read principals from.
    const ready = deps.keys.size > 0 && (redis || postgres);
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'unavailable',
      policy: deps.policy.revision,
      bundle: bundleDetails(deps.policy.status),
      keys: deps.keys.size,
      redis,
      postgres,
      changeChannel: deps.changes.live,
    });
  });
  app.get('/metrics', async (_req, reply) => {
    return reply.header('content-type', deps.metrics.registry.contentType).send(await deps.metrics.render());
  });

  const forward = await registerProxy(app, deps);
  const gate = createGate(deps);
  app.route({
    method: proxiedMethods,
    url: '/*',
    onRequest: gate,
    onResponse: (request, reply, done) => {
      const route = request.gatewayRoute;
      deps.metrics.countRequest(route === null ? '' : route.module, reply.statusCode);
      done();
    },
    // No per-request child logger (a pino child per request costs ~5 µs): the
    // proxy route's rare log lines go through the gateway's logger as is, and
    // the decision id, not a request id, is what ties them to a request.
    childLoggerFactory: (logger) => logger,
    handler: forward,
  });
  return app;
}
