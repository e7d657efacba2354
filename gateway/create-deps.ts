// Opens everything one gateway uses. Refuses to start without a valid route
// table and a policy bundle that loads (fail closed); tolerates Redis, the
// control plane and PostgreSQL being down at boot (it becomes ready when
// they are back: readiness says which).
import pino, { type DestinationStream } from 'pino';
import { connectRedis, createRedis } from '../core/infra/redis.ts';
import { loggerOptions } from '../core/infra/logger.ts';
import { createApprovalHook } from './approvals/hold.ts';
import { AuthzChangeSubscriber } from './principal/authz-subscriber.ts';
import { createDecisionLog, type DecisionLogOptions } from './decision-log/create.ts';
import type { GatewayConfig } from './config.ts';
import type { GatewayDeps } from './deps.ts';
import { openPostgres, poolRows } from './principal/postgres.ts';
import { JwksKeys } from './tokens/jwks.ts';
import { WasmDecider } from './policy/decider.ts';
import { OpaHttpDecider } from './policy/opa-http.ts';
import { GatewayMetrics } from './ops/metrics.ts';
import { PolicyHolder } from './policy/policy-holder.ts';
import { ShadowPolicy } from './policy/shadow.ts';
import { PrincipalCache, type PrincipalCacheOptions } from './principal/cache.ts';
import { loadRouteTable } from '../core/routes/route-table.ts';
import { TokenVerifier } from './tokens/token-verifier.ts';

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

export async function createGatewayDeps(config: GatewayConfig, opts: GatewayDepsOptions = {}): Promise<GatewayDeps> {
  const options = loggerOptions(config.LOG_LEVEL, 'gateway');
  const log = opts.logDestination ? pino(options, opts.logDestination) : pino(options);
  const routes = loadRouteTable(config.GATEWAY_ROUTES);
  const metrics = new GatewayMetrics();
  // From the bundle server (POLICY_BUNDLE_URL) or POLICY_DIR; no good bundle, no gateway.
  const policy = await PolicyHolder.open(config, log, metrics, {
    ...(opts.policyDebounceMs !== undefined && { debounceMs: opts.policyDebounceMs }),
    ...(opts.decisionLog?.instanceId !== undefined && { instanceId: opts.decisionLog.instanceId }),
  });

  // Connects lazily: a PostgreSQL that is down at boot is not fatal.
  const postgres = openPostgres(config.DATABASE_URL);

  const redis = createRedis({ url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES, keyPrefix: config.REDIS_KEY_PREFIX, name: 'gateway' });
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

  const principals = new PrincipalCache(poolRows(postgres), redis, metrics, opts.cache);
  const changes = new AuthzChangeSubscriber({ url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES }, config.REDIS_KEY_PREFIX, principals, metrics, log, {}, {
    databaseUrl: config.CHANGE_FEED_DATABASE_URL ?? config.DATABASE_URL,
    sharedRedis: redis,
  });
  await changes.start();
  if (opts.watchPolicy !== false) policy.watch();

  const decisions = createDecisionLog(config, log, metrics.registry, opts.decisionLog);
  const shadow = await ShadowPolicy.open(config, decisions, log, metrics);

  return {
    config,
    log,
    postgres,
    redis,
    policy,
    shadow,
    routes,
    keys,
    tokens,
    principals,
    changes,
    metrics,
    decisions,
    approvals: createApprovalHook({ pool: postgres, config }),
    decider: config.GATEWAY_DECISION_ENGINE === 'opa-http' ? new OpaHttpDecider(config.OPA_URL) : new WasmDecider(),
    stages: null,
  };
}

export async function closeGatewayDeps(deps: GatewayDeps): Promise<void> {
  // After the server closed (no more decisions): what is queued is written or uploaded first.
  await deps.shadow?.close();
  await deps.decisions.close();
  await deps.policy.close();
  deps.keys.stop();
  deps.changes.close();
  deps.redis.disconnect();
  await deps.decider.close();
  await deps.postgres.end();
}
