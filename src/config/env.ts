// Configuration is read once at boot from the environment and validated with
// env-schema; a bad or missing variable stops the process with its name.
import envSchema from 'env-schema';
import { Type, type Static } from '@sinclair/typebox';

const schema = Type.Object({
  NODE_ENV: Type.String({ default: 'development' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  HOST: Type.String({ default: '127.0.0.1' }),
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://', default: 'postgresql://postgres@127.0.0.1:5432/tenant_iam' }),
  REDIS_URL: Type.String({ pattern: '^rediss?://', default: 'redis://127.0.0.1:6379' }),
  REDIS_KEY_PREFIX: Type.String({ default: 'iam:' }),
  MAIL_URL: Type.String({ pattern: '^(smtps?|file)://', default: 'file://.data/mail' }),
  MAIL_FROM: Type.String({ default: 'Tenant IAM <no-reply@localhost>' }),
  PUBLIC_URL: Type.String({ pattern: '^https?://', default: 'http://localhost:3000' }),
  CONTROL_PLANE_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  CONTROL_PLANE_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:3000' }),
  GATEWAY_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  GATEWAY_ROUTES: Type.String({ default: 'gateway/routes.demo.yaml' }),
  GATEWAY_UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 10000 }),
  // Slow clients (both services, src/http/client-limits.ts): headers must arrive within
  // HTTP_HEADERS_TIMEOUT_MS and the whole request within HTTP_REQUEST_TIMEOUT_MS, or the
  // connection is cut. The gateway refuses bodies above GATEWAY_BODY_LIMIT_BYTES (413).
  HTTP_HEADERS_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
  HTTP_REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 30_000 }),
  GATEWAY_BODY_LIMIT_BYTES: Type.Integer({ minimum: 1, default: 1024 * 1024 }),
  DECISION_LOG_SAMPLE: Type.Number({ minimum: 0, maximum: 1, default: 1 }),
  // Decision log (gateway/decision-log/): uploads to an OPA-compatible service instead of
  // stdout, fields erased by JSON pointer, the upload batch and the bounded buffer in bytes.
  DECISION_LOG_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  DECISION_LOG_MASK: Type.String({ default: '' }),
  DECISION_LOG_BATCH_BYTES: Type.Integer({ minimum: 1024, default: 256 * 1024 }),
  DECISION_LOG_BUFFER_BYTES: Type.Integer({ minimum: 1024, default: 16 * 1024 * 1024 }),
  // Gateway processes sharing GATEWAY_PORT (node:cluster; gateway/cluster/).
  GATEWAY_WORKERS: Type.Integer({ minimum: 1, maximum: 64, default: 1 }),
  // Reuse a decision for an identical policy input (gateway/decision-memo.ts); off for impure policies.
  GATEWAY_DECISION_MEMO: Type.Boolean({ default: true }),
  // `wasm`: the compiled bundle in process. `opa-http`: ask an OPA server at OPA_URL per
  // request (the sidecar design, kept for the benchmark's comparison; gateway/opa-http.ts).
  GATEWAY_DECISION_ENGINE: Type.Union([Type.Literal('wasm'), Type.Literal('opa-http')], { default: 'wasm' }),
  OPA_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:8181' }),
  POLICY_DIR: Type.String({ default: 'build/policy' }),
  JWT_ISSUER: Type.String({ minLength: 1, default: 'tenant-iam' }),
  JWT_AUDIENCE: Type.String({ minLength: 1, default: 'tenant-iam-gateway' }),
  // Ed25519 private key (PKCS#8 PEM); only the control plane signs.
  JWT_PRIVATE_KEY: Type.Optional(Type.String({ minLength: 1 })),
  // 32 random bytes, base64: encrypts TOTP secrets at rest (AES-256-GCM).
  TOTP_ENCRYPTION_KEY: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$' })),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 3600, default: 900 }),
  REFRESH_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 600, default: 60 * 60 * 24 * 14 }),
  INVITATION_TTL_HOURS: Type.Number({ exclusiveMinimum: 0, default: 24 }),
  EMAIL_VERIFICATION_TTL_HOURS: Type.Number({ exclusiveMinimum: 0, default: 24 }),
  // Maker-checker (src/approvals): how long a request waits for a checker,
  // how often pending ones past that are swept to EXPIRED (0: only on read),
  // and the largest request body a gateway stores for approval.
  APPROVAL_TTL_HOURS: Type.Number({ exclusiveMinimum: 0, default: 72 }),
  APPROVAL_SWEEP_SECONDS: Type.Integer({ minimum: 0, default: 60 }),
  APPROVAL_MAX_BODY_BYTES: Type.Integer({ minimum: 0, maximum: 1024 * 1024, default: 64 * 1024 }),
  // Per client IP and route on the unauthenticated authentication routes (login, TOTP, refresh, links).
  AUTH_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 30 }),
  AUTH_RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 60 }),
});

export type Config = Static<typeof schema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates `env`; throws a ConfigError whose message names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return envSchema<Config>({ schema, data: env, dotenv: false });
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${(err as Error).message}`);
  }
}

/** The control plane cannot run without its key material: say which is missing. */
export function requireSecrets(config: Config): Required<Pick<Config, 'JWT_PRIVATE_KEY' | 'TOTP_ENCRYPTION_KEY'>> {
  const missing = (['JWT_PRIVATE_KEY', 'TOTP_ENCRYPTION_KEY'] as const).filter((k) => !config[k]);
  if (missing.length > 0) {
    throw new ConfigError(
      `invalid configuration: ${missing.join(', ')} must be set (npm start generates development keys into .data/dev.env)`,
    );
  }
  return { JWT_PRIVATE_KEY: config.JWT_PRIVATE_KEY!, TOTP_ENCRYPTION_KEY: config.TOTP_ENCRYPTION_KEY! };
}
