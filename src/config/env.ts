// The control plane's configuration: the variables both services read
// (core/config/base.ts) and its own.
import { Type, type Static } from '@sinclair/typebox';
import { baseProperties, ConfigError, loadEnv } from '../../core/config/base.ts';

export { ConfigError };

const schema = Type.Object({
  ...baseProperties,
  MAIL_URL: Type.String({ pattern: '^(smtps?|file)://', default: 'file://.data/mail' }),
  MAIL_FROM: Type.String({ default: 'Tenant IAM <no-reply@localhost>' }),
  PUBLIC_URL: Type.String({ pattern: '^https?://', default: 'http://localhost:3000' }),
  CONTROL_PLANE_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  // The built console (npm run build:console); absent: the control plane serves the API only.
  CONSOLE_DIR: Type.String({ default: 'console/dist' }),
  // false where a one-shot job migrates (docker-compose.yml's `migrate`): replicas then only
  // check that no migration is pending, and refuse to start on an older schema.
  MIGRATE_ON_START: Type.Boolean({ default: true }),
  // Ed25519 private key (PKCS#8 PEM); only the control plane signs.
  JWT_PRIVATE_KEY: Type.Optional(Type.String({ minLength: 1 })),
  // 32 random bytes, base64: encrypts TOTP secrets at rest (AES-256-GCM).
  TOTP_ENCRYPTION_KEY: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$' })),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 3600, default: 900 }),
  REFRESH_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 600, default: 60 * 60 * 24 * 14 }),
  INVITATION_TTL_HOURS: Type.Number({ exclusiveMinimum: 0, default: 24 }),
  EMAIL_VERIFICATION_TTL_HOURS: Type.Number({ exclusiveMinimum: 0, default: 24 }),
  // Maker-checker (src/approvals): how often pending approvals past their
  // time are swept to EXPIRED (0: only on read).
  APPROVAL_SWEEP_SECONDS: Type.Integer({ minimum: 0, default: 60 }),
  // Per client IP and route on the unauthenticated authentication routes (login, TOTP, refresh, links).
  AUTH_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, default: 30 }),
  AUTH_RATE_LIMIT_WINDOW_SECONDS: Type.Integer({ minimum: 1, default: 60 }),
});

export type Config = Static<typeof schema>;

/** Validates `env`; throws a ConfigError whose message names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return loadEnv(schema, env);
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
