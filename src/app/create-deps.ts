// Opens every backing service from configuration. Used by server.ts, the CLI
// and tests, so all three wire the control plane the same way.
import type { Config } from '../config/env.ts';
import { requireSecrets } from '../config/env.ts';
import { openOrm } from '../db/orm.ts';
import { connectRedis, createRedis } from '../../core/infra/redis.ts';
import pino from 'pino';
import { Registry } from 'prom-client';
import { registerBundleMetrics } from '../../core/policy/bundle/metrics.ts';
import { loggerOptions } from '../../core/infra/logger.ts';
import { openPolicySource } from '../../core/policy/bundle/policy-source.ts';
import { signingKeyFromPem } from '../../core/tokens/keys.ts';
import { TokenSigner } from '../auth/token-signer.ts';
import { Mailer } from '../mail/mailer.ts';
import { passwordVerifications } from '../passwords/hashing.ts';
import { AuthzChangePublisher } from '../../core/changes/authz-changes.ts';
import type { ControlPlaneDeps } from '../context/deps.ts';

export async function createControlPlaneDeps(config: Config, onError: (err: unknown) => void = () => {}): Promise<ControlPlaneDeps> {
  const secrets = requireSecrets(config);
  const key = signingKeyFromPem(secrets.JWT_PRIVATE_KEY);
  // From the bundle server (POLICY_BUNDLE_URL, followed while running) or POLICY_DIR (loaded once).
  const policySource = await openPolicySource(config, { log: pino(loggerOptions(config.LOG_LEVEL, 'control-plane')), service: 'control-plane' });
  const metrics = new Registry();
  registerBundleMetrics(metrics, 'control_plane', policySource.active);
  metrics.registerMetric(passwordVerifications);
  const orm = await openOrm(config.DATABASE_URL);
  const redis = createRedis({ url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES, keyPrefix: config.REDIS_KEY_PREFIX, name: 'control-plane' });
  await connectRedis(redis);
  return {
    config,
    orm,
    redis,
    // Read at each use: with a bundle server the engine in force changes at run time, and a
    // caller that takes it once evaluates on that one whole bundle.
    get policy() {
      return policySource.active.engine;
    },
    policySource,
    metrics,
    signer: new TokenSigner(key, {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      mfaTtlSeconds: 300,
    }),
    mailer: new Mailer(config.MAIL_URL, config.MAIL_FROM),
    changes: new AuthzChangePublisher(redis, config.REDIS_KEY_PREFIX, onError),
    totpKey: Buffer.from(secrets.TOTP_ENCRYPTION_KEY, 'base64'),
    now: () => new Date(),
  };
}

export async function closeControlPlaneDeps(deps: ControlPlaneDeps): Promise<void> {
  await deps.policySource?.close();
  deps.mailer.close();
  deps.redis.disconnect();
  await deps.orm.close();
}
