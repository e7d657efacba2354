// Opens everything one gateway uses. Refuses to start without a valid route
// table and a policy bundle that loads (fail closed); tolerates Redis, the
// control plane and PostgreSQL being down at boot (it becomes ready when
// they are back: readiness says which).
import { MikroORM } from '@mikro-orm/postgresql';
import pino, { type DestinationStream } from 'pino';
import type { Config } from '../src/config/env.ts';
import { ormOptions, withIdleCheck } from '../src/db/orm.ts';
import { connectRedis, createRedis } from '../src/infra/redis.ts';
import { loggerOptions } from '../src/infra/logger.ts';
import { createApprovalHook } from './approval-hook.ts';
import { AuthzChangeSubscriber } from './authz-subscriber.ts';
import { createDecisionLog, type DecisionLogOptions } from './decision-log/create.ts';
import type { GatewayDeps } from './deps.ts';
import { JwksKeys } from './jwks.ts';
import { OpaHttpDecider } from './opa-http.ts';
import { GatewayMetrics } from './metrics.ts';
import { PolicyHolder } from './policy-holder.ts';
import { PrincipalCache, type PrincipalCacheOptions } from './principal-cache.ts';
import { loadRouteTable } from './route-table.ts';
import { TokenVerifier } from './token-verifier.ts';

export interface GatewayDepsOptions {
  /** Least time between JWKS refetches caused by unknown `kid`s (default 10 s). */
  jwksMinRefetchMs?: number;
  cache?: PrincipalCacheOptions;
  policyDebounceMs?: number;
  /** Watch POLICY_DIR for new bundles (default true). */
  watchPolicy?: boolean;
  /** Where log lines go (default stdout); tests read the decision log from it. */
  logDestination?: DestinationStream;
  /** Decision-log overrides (tests: NDJSON destination, short timers). */
  decisionLog?: DecisionLogOptions;
}

export async function createGatewayDeps(config: Config, opts: GatewayDepsOptions = {}): Promise<GatewayDeps> {
  const options = loggerOptions(config.LOG_LEVEL, 'gateway');
  const log = opts.logDestination ? pino(options, opts.logDestination) : pino(options);
  const routes = loadRouteTable(config.GATEWAY_ROUTES);
  const metrics = new GatewayMetrics();
  const policy = await PolicyHolder.load(config.POLICY_DIR, log, metrics, opts.policyDebounceMs);

  // Short timeouts: a PostgreSQL that does not answer turns into a 503
  // within seconds, never into requests piling up. statement_timeout is the
  // server's; query_timeout covers a server (or path) that stopped answering
  // on a connection the pool already holds.
  const base = ormOptions(config.DATABASE_URL);
  const orm = await MikroORM.init({
    ...base,
    connect: false,
    pool: withIdleCheck({ min: 0, max: 10, idleTimeoutMillis: 10_000, acquireTimeoutMillis: 2000 }),
    driverOptions: { connection: { statement_timeout: 2000, query_timeout: 2500, connectionTimeoutMillis: 2000 } },
  });

  const redis = createRedis({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, name: 'gateway' });
  await connectRedis(redis);

  let tokens: TokenVerifier | null = null;
  const keys = new JwksKeys({
    url: new URL('/.well-known/jwks.json', config.CONTROL_PLANE_URL).toString(),
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ...(opts.jwksMinRefetchMs !== undefined && { minRefetchMs: opts.jwksMinRefetchMs }),
    onChange: () => tokens?.forgetAll(),
    onError: (err) => log.warn({ err: (err as Error).message }, 'JWKS fetch failed'),
  });
  tokens = new TokenVerifier(keys, { hit: metrics.tokenCacheHit, miss: metrics.tokenCacheMiss });
  await keys.start();

  const principals = new PrincipalCache(orm, redis, metrics, opts.cache);
  const changes = new AuthzChangeSubscriber(config.REDIS_URL, config.REDIS_KEY_PREFIX, principals, metrics, log);
  await changes.start();
  if (opts.watchPolicy !== false) policy.watch();

  return {
    config,
    log,
    orm,
    redis,
    policy,
    routes,
    keys,
    tokens,
    principals,
    changes,
    metrics,
    decisions: createDecisionLog(config, log, metrics.registry, opts.decisionLog),
    approvals: createApprovalHook({ orm, config }),
    remoteDecider: config.GATEWAY_DECISION_ENGINE === 'opa-http' ? new OpaHttpDecider(config.OPA_URL) : null,
    stages: null,
  };
}

export async function closeGatewayDeps(deps: GatewayDeps): Promise<void> {
  // After the server closed (no more decisions): what is queued is written or uploaded first.
  await deps.decisions.close();
  deps.policy.close();
  deps.keys.stop();
  deps.changes.close();
  deps.redis.disconnect();
  await deps.remoteDecider?.close();
  await deps.orm.close();
}
