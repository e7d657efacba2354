import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../src/config/env.ts';
import type { AuthzChangeSubscriber } from './authz-subscriber.ts';
import type { DecisionLog } from './decision-log/queue.ts';
import type { JwksKeys } from './jwks.ts';
import type { OpaHttpDecider } from './opa-http.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { PolicyHolder } from './policy-holder.ts';
import type { PrincipalCache } from './principal-cache.ts';
import type { GatewayRoute } from './route-table.ts';
import type { StageTimer } from './stage-timing.ts';
import type { TokenVerifier } from './token-verifier.ts';

/**
 * Hook point for routes with `approval` (maker-checker): called for an
 * allowed write whose method the route lists. Returns true when it answered
 * the request itself (202 with an approval id) instead of forwarding it.
 * gateway/approval-hook.ts provides it; a gateway without one refuses such
 * writes (503) rather than forwarding them unapproved.
 */
export type ApprovalHook = (request: FastifyRequest, reply: FastifyReply) => Promise<boolean>;

/** Everything one gateway process uses; nothing here is shared with another gateway but Redis and PostgreSQL. */
export interface GatewayDeps {
  config: Config;
  log: Logger;
  orm: MikroORM;
  /** Commands (cache reads and write-backs). The change channel has its own connection. */
  redis: Redis;
  policy: PolicyHolder;
  routes: GatewayRoute[];
  keys: JwksKeys;
  tokens: TokenVerifier;
  principals: PrincipalCache;
  changes: AuthzChangeSubscriber;
  metrics: GatewayMetrics;
  decisions: DecisionLog;
  approvals: ApprovalHook | null;
  /** Set when GATEWAY_DECISION_ENGINE=opa-http: decisions come from an OPA server, not the wasm. */
  remoteDecider: OpaHttpDecider | null;
  /** Per-stage timing of decisions; null (off) except under the benchmark (bench/gateway-server.ts). */
  stages: StageTimer | null;
}
