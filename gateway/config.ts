// The gateway's configuration: the variables both services read
// (core/config/base.ts) and its own.
import { Type, type Static } from '@sinclair/typebox';
import { baseProperties, loadEnv } from '../core/config/base.ts';

export { ConfigError } from '../core/config/base.ts';

const schema = Type.Object({
  ...baseProperties,
  GATEWAY_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  // The change feed's LISTEN session (principal/change-feed.ts), when it must not take
  // DATABASE_URL's path (e.g. DATABASE_URL goes through PgBouncer in transaction mode).
  CHANGE_FEED_DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  // Where the control plane serves its signing keys (/.well-known/jwks.json).
  CONTROL_PLANE_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:3000' }),
  // Bodies above this are refused (413), declared or counted while streaming.
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
  // Reuse a decision for an identical policy input (gateway/policy/decision-memo.ts); off for impure policies.
  GATEWAY_DECISION_MEMO: Type.Boolean({ default: true }),
  // `wasm`: the compiled bundle in process. `opa-http`: ask an OPA server at OPA_URL per
  // request (the sidecar design, kept for the benchmark's comparison; gateway/policy/opa-http.ts).
  GATEWAY_DECISION_ENGINE: Type.Union([Type.Literal('wasm'), Type.Literal('opa-http')], { default: 'wasm' }),
  OPA_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:8181' }),
  // Shadow rollout (gateway/policy/shadow.ts): a candidate bundle evaluated beside the active one, never enforced.
  // POLICY_BUNDLE_TOKEN goes to the shadow URL only on POLICY_BUNDLE_URL's origin; another server
  // gets POLICY_SHADOW_BUNDLE_TOKEN (or no token).
  POLICY_SHADOW_BUNDLE_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  POLICY_SHADOW_BUNDLE_TOKEN: Type.Optional(Type.String({ minLength: 1 })),
  POLICY_SHADOW_DIR: Type.Optional(Type.String({ minLength: 1 })),
  POLICY_SHADOW_SAMPLE: Type.Number({ minimum: 0, maximum: 1, default: 1 }),
  // The largest request body a gateway stores for approval (maker-checker).
  APPROVAL_MAX_BODY_BYTES: Type.Integer({ minimum: 0, maximum: 1024 * 1024, default: 64 * 1024 }),
});

export type GatewayConfig = Static<typeof schema>;

/** Validates `env`; throws a ConfigError whose message names every bad variable. */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadEnv(schema, env);
}
