import type pg from 'pg';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RedisClient } from '../core/infra/redis.ts';
import type { Logger } from 'pino';
import type { GatewayConfig } from './config.ts';
import type { AuthzChangeSubscriber } from './principal/authz-subscriber.ts';
import type { DecisionLog } from './decision-log/queue.ts';
import type { JwksKeys } from './tokens/jwks.ts';
import type { Decider } from './policy/decider.ts';
import type { GatewayMetrics } from './ops/metrics.ts';
import type { PolicyHolder } from './policy/policy-holder.ts';
import type { ShadowPolicy } from './policy/shadow.ts';
import type { PrincipalCache } from './principal/cache.ts';
import type { GatewayRoute } from '../core/routes/route-table.ts';
import type { StageTimer } from './ops/stage-timing.ts';
import type { TokenVerifier } from './tokens/token-verifier.ts';

/**
 * Hook point for routes with `approval` (maker-checker): called for an
 * allowed write whose method the route lists. Returns true when it answered
 * the request itself (202 with an approval id) instead of forwarding it.
 * gateway/approvals/hold.ts provides it; a gateway without one refuses such
 * writes (503) rather than forwarding them unapproved.
 */
export type ApprovalHook = (request: FastifyRequest, reply: FastifyReply) => Promise<boolean>;

/** Everything one gateway process uses; nothing here is shared with another gateway but Redis and PostgreSQL. */
export interface GatewayDeps {
  config: GatewayConfig;
  log: Logger;
  /** Principal records and held approvals, in plain SQL. */
  postgres: pg.Pool;
  /** Commands (cache reads and write-backs). The change channel has its own connection. */
  redis: RedisClient;
  policy: PolicyHolder;
  /** A candidate bundle evaluated beside `policy`, never enforced (POLICY_SHADOW_*); null without one. */
  shadow: ShadowPolicy | null;
  routes: GatewayRoute[];
  keys: JwksKeys;
  tokens: TokenVerifier;
  principals: PrincipalCache;
  changes: AuthzChangeSubscriber;
  metrics: GatewayMetrics;
  decisions: DecisionLog;
  approvals: ApprovalHook | null;
  /** The wasm in process, or an OPA server when GATEWAY_DECISION_ENGINE=opa-http. */
  decider: Decider;
  /** Per-stage timing of decisions (pipeline/timing.ts); null (off) except under the benchmark (bench/gateway-server.ts). */
  stages: StageTimer | null;
}
