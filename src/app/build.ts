// The control plane: a Fastify instance with shared plumbing, then one plugin
// per capability (routes.ts). server.ts is the only file that listens.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { loggerOptions } from '../../core/infra/logger.ts';
import { redisReady } from '../../core/infra/redis.ts';
import { clientTimeouts } from '../../core/http/client-limits.ts';
import { installErrorHandler } from '../../core/http/error-handler.ts';
import { ormErrors } from '../http/orm-errors.ts';
import { frameworkErrors } from '../../core/http/framework-errors.ts';
import { refuseUnstorableText } from '../http/unstorable-text.ts';
import { strictBodyValidator } from '../http/validation.ts';
import type { ControlPlaneDeps } from '../context/deps.ts';
import { capabilityRoutes } from './routes.ts';
import { serveConsole, type ClientRouteFallback } from '../console/serve.ts';
import { bundleDetails } from '../../core/policy/bundle/active-policy.ts';
import '../context/request-context.ts';

export interface BuildOptions {
  logger?: boolean;
}

/** A load balancer's or client's X-Request-Id, if it is one short printable token; else null. */
function clientRequestId(header: string | string[] | undefined): string | null {
  return typeof header === 'string' && /^[\x21-\x7e]{1,128}$/.test(header) ? header : null;
}

export async function buildControlPlane(deps: ControlPlaneDeps, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger === false ? false : loggerOptions(deps.config.LOG_LEVEL, 'control-plane'),
    // JSON bodies of the admin API are small; a larger one is 413 PAYLOAD_TOO_LARGE.
    bodyLimit: 256 * 1024,
    ...clientTimeouts(deps.config),
    // The request id (logs, audit events) is always the server's own UUID: a
    // client-chosen X-Request-Id could forge or collide with another request's
    // trail. The client's value is kept apart as request.clientRequestId.
    requestIdHeader: false,
    genReqId: () => randomUUID(),
    ajv: {
      // Unknown fields are an error (mass assignment), never silently dropped.
      // Query strings and params coerce ('array': one value may fill a list); bodies never do.
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
    },
    schemaController: { compilersFactory: { buildValidator: strictBodyValidator() } },
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('deps', deps);
  app.decorateRequest('em', null as never);
  app.decorateRequest('actor', null as never);
  app.decorateRequest('clientRequestId', null);
  app.addHook('onRequest', async (request) => {
    request.em = deps.orm.em.fork();
    request.clientRequestId = clientRequestId(request.headers['x-request-id']);
    // Logs keep the server's reqId and carry the client's id beside it for correlation.
    if (request.clientRequestId !== null) request.log = request.log.child({ clientRequestId: request.clientRequestId });
  });
  // The console's fallback exists once the console is registered (below).
  let consoleFallback: ClientRouteFallback | null = null;
  installErrorHandler(app, ormErrors, () => consoleFallback);
  app.addHook('preValidation', refuseUnstorableText);

  // Parses the console's refresh cookie (src/auth/refresh-cookie.ts); unsigned: it is an opaque secret.
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Tenant IAM control plane', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const [db, redis] = await Promise.all([
      deps.orm.em.getConnection().execute('select 1').then(() => true, () => false),
      // On a cluster: every slot served and every master answering (core/infra/redis.ts).
      redisReady(deps.redis),
    ]);
    return reply.code(db ? 200 : 503).send({
      status: db ? 'ready' : 'unavailable', db, redis, policy: deps.policy.revision,
      ...(deps.policySource && { bundle: bundleDetails(deps.policySource.active.status) }),
    });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    if (!deps.metrics) return reply.code(404).send();
    return reply.header('content-type', deps.metrics.contentType).send(await deps.metrics.metrics());
  });
  app.get('/.well-known/jwks.json', { schema: { hide: true } }, async (_req, reply) => {
    void reply.header('cache-control', 'public, max-age=300');
    return { keys: [deps.signer.key.jwk] };
  });

  for (const routes of capabilityRoutes) await app.register(routes, { prefix: '/v1' });
  consoleFallback = await serveConsole(app, deps.config.CONSOLE_DIR);
  return app;
}
