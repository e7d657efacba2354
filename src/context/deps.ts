import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config/env.ts';
import type { RedisClient } from '../../core/infra/redis.ts';
import type { PolicyEngine } from '../../core/policy/engine.ts';
import type { PolicySource } from '../../core/policy/bundle/policy-source.ts';
import type { Registry } from 'prom-client';
import type { TokenSigner } from '../auth/token-signer.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { AuthzChangePublisher } from '../../core/changes/authz-changes.ts';

/** Everything the control plane's routes use, built once in server.ts (or a test) and passed in. */
export interface ControlPlaneDeps {
  config: Config;
  orm: MikroORM;
  redis: RedisClient;
  /** The bundle in force: a getter in createControlPlaneDeps, since with a bundle server it changes at run time. */
  policy: PolicyEngine;
  /** Where the bundle comes from, its revision and activation time (/readyz); absent in tests that build deps by hand. */
  policySource?: PolicySource;
  /** Prometheus registry of /metrics (the policy bundle in force, its activations and refusals). */
  metrics?: Registry;
  signer: TokenSigner;
  mailer: Mailer;
  changes: AuthzChangePublisher;
  /** AES-256-GCM key for TOTP secrets at rest. */
  totpKey: Buffer;
  /** Injectable clock so tests can move past expiries without sleeping. */
  now: () => Date;
}
