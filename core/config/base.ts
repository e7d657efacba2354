// Configuration is read once at boot from the environment and validated with
// env-schema; a bad or missing variable stops the process with its name.
// This is what both services read; each adds its own variables on top
// (src/config/env.ts for the control plane, gateway/config.ts for the gateway).
import envSchema from 'env-schema';
import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';

/** One REDIS_CLUSTER_NODES seed: `host:port`, an IPv6 address in brackets (`[::1]:7000`, as parseClusterNodes reads it). */
const CLUSTER_NODE = '(\\[[0-9A-Fa-f:.]+\\]|[^,:\\s\\[\\]]+):\\d{1,5}';

export const baseProperties = {
  NODE_ENV: Type.String({ default: 'development' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  HOST: Type.String({ default: '127.0.0.1' }),
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://', default: 'postgresql://postgres@127.0.0.1:5432/tenant_iam' }),
  REDIS_URL: Type.String({ pattern: '^rediss?://', default: 'redis://127.0.0.1:6379' }),
  // Redis Cluster mode when set: comma-separated host:port seeds (a few of the
  // cluster's nodes; the rest are discovered). REDIS_URL is then unused.
  REDIS_CLUSTER_NODES: Type.Optional(Type.String({ pattern: `^\\s*${CLUSTER_NODE}\\s*(,\\s*${CLUSTER_NODE}\\s*)*$` })),
  // No braces: on a cluster a record's keys share a slot by their own hash
  // tag (core/principal/cache-keys.ts); a brace in the prefix would change
  // which part of each key is hashed (a record's two keys could land in two
  // slots, or every key of the installation in one).
  REDIS_KEY_PREFIX: Type.String({ pattern: '^[^{}]*$', default: 'iam:' }),
  // The route table: the gateway proxies by it; the control plane lists its
  // modules in the catalogue and sends approved requests to its upstreams.
  GATEWAY_ROUTES: Type.String({ default: 'gateway/routes.demo.yaml' }),
  // Upstream answer time: the gateway's proxy, and the control plane sending an approved request.
  GATEWAY_UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 1, default: 10000 }),
  // Slow clients (both services, core/http/client-limits.ts): headers must arrive within
  // HTTP_HEADERS_TIMEOUT_MS and the whole request within HTTP_REQUEST_TIMEOUT_MS, or the
  // connection is cut.
  HTTP_HEADERS_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
  HTTP_REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 30_000 }),
  POLICY_DIR: Type.String({ default: 'build/policy' }),
  // Bundle distribution (core/policy/bundle/, docs/architecture.md#policy-bundle-life-cycle): with
  // POLICY_BUNDLE_URL the bundle comes from an OPA bundle server instead of POLICY_DIR. The
  // verification key is a PEM public key, inline or a file path. Long polling waits
  // POLICY_BUNDLE_LONG_POLL_SECONDS (0: never ask); each request may take that plus TIMEOUT_MS.
  POLICY_BUNDLE_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  POLICY_BUNDLE_TOKEN: Type.Optional(Type.String({ minLength: 1 })),
  POLICY_BUNDLE_VERIFICATION_KEY: Type.Optional(Type.String({ minLength: 1 })),
  POLICY_BUNDLE_POLL_SECONDS: Type.Number({ exclusiveMinimum: 0, default: 30 }),
  POLICY_BUNDLE_LONG_POLL_SECONDS: Type.Integer({ minimum: 0, maximum: 3600, default: 30 }),
  POLICY_BUNDLE_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
  // Under .data: the one folder the image lets its user write (Dockerfile); build/ is root's there.
  POLICY_BUNDLE_CACHE_DIR: Type.String({ default: '.data/policy-cache' }),
  // OPA-compatible status reports (POST on every activation and refusal).
  STATUS_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  JWT_ISSUER: Type.String({ minLength: 1, default: 'tenant-iam' }),
  JWT_AUDIENCE: Type.String({ minLength: 1, default: 'tenant-iam-gateway' }),
  // Maker-checker: how long a request waits for a checker (the gateway stores
  // requests with it, the control plane stores actions and sweeps).
  APPROVAL_TTL_HOURS: Type.Number({ exclusiveMinimum: 0, default: 72 }),
};

export type BaseConfig = Static<TObject<typeof baseProperties>>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates `env` against a service's schema; throws a ConfigError whose message names every bad variable. */
export function loadEnv<T extends TProperties>(schema: TObject<T>, env: NodeJS.ProcessEnv): Static<TObject<T>> {
  try {
    return envSchema<Static<TObject<T>>>({ schema, data: env, dotenv: false });
  } catch (err) {
    throw new ConfigError(`invalid configuration: ${(err as Error).message}`);
  }
}
