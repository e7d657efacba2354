// Policy micro-benchmark: decisions per second on one core for the real
// bundle, with a realistic gateway input (a reseller user with 20 listed
// merchants) and a typical one (no listed merchants: the whole reseller), by
// three paths: the SDK's evaluate, engine.decide (whole input as JSON) and the
// gateway's engine.decidePrepared; and how much of a decision is JSON
// encoding of the input and decoding of the result. Rates come from CPU time,
// so a busy machine slows the run but not the figure much. Run alone
// (`tsx bench/policy.ts`) or by bench/run.ts in a child process of its own.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadPolicy } from '@open-policy-agent/opa-wasm';
import { PolicyEngine } from '../core/policy/engine.ts';
import type { MerchantRecordCached, RoleRecord, SessionRecord, UserRecord } from '../core/principal/records.ts';
import { PreparedInputs } from '../gateway/policy/prepared-input.ts';
import type { GatewayClaims } from '../gateway/tokens/token-verifier.ts';
import type { DecisionInput, DecisionResult } from '../core/policy/types.ts';

export const realisticInput: DecisionInput = {
  principal: {
    user_id: '4b0c6a4e-6f7e-4c55-9b55-2b0b8e7f8a11',
    tenant_id: 'acme-bank',
    type: 'RESELLER',
    reseller_id: 'north-resellers',
    merchant_id: '',
    status: 'ACTIVE',
    session_active: true,
    role: {
      id: '0e7d0f1c-1b2a-4d7e-8f00-6a5b4c3d2e1f',
      enabled: true,
      acl: { orders: 'RW', refunds: 'RW', payments: 'R', analytics: 'R', settings: 'NA', users: 'R', merchants: 'R' },
    },
    merchants_access: Array.from({ length: 20 }, (_, i) => `merchant-${i}`),
    merchant_resellers: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`merchant-${i}`, 'north-resellers'])),
    product_ids: ['card', 'upi'],
    gateway_ref_ids: [],
  },
  context: { type: 'RESELLER', id: 'north-resellers' },
  request: {
    module: 'orders',
    action: 'read',
    merchant: { id: 'merchant-7', tenant_id: 'acme-bank', reseller_id: 'north-resellers' },
    merchant_id: 'merchant-7',
    product_id: 'card',
    gateway_ref_id: '',
    product_required: true,
    gateway_ref_required: false,
    maker_id: '',
  },
};

/** The same caller with no listed merchants (`[]`: every merchant of its reseller), the common case. */
export const typicalInput: DecisionInput = {
  ...realisticInput,
  principal: { ...realisticInput.principal, merchants_access: [], merchant_resellers: {} },
};

export interface Rate {
  /** From CPU time (user + system) of this process: what one core sustains, whatever else runs on the machine. */
  decisionsPerSecond: number;
  microsPerDecision: number;
  /** From elapsed time (equals the above on an otherwise idle core). */
  wallMicrosPerDecision: number;
}

export interface PolicyBenchResult {
  /** engine.decide: the whole input from a JS object, as JSON, straight into the wasm. */
  realistic: Rate;
  typical: Rate;
  /** The SDK's own LoadedPolicy.evaluate (fresh encoder and copies per call), for reference. */
  sdk: { realistic: Rate };
  /** What the gateway's hot path pays when the memo misses: gateway/policy/prepared-input.ts parts from cached records, then engine.decidePrepared. */
  gatewayPath: { realistic: Rate; typical: Rate };
  /** Input JSON.stringify + UTF-8 encoding, as a share of one engine.decide (realistic). */
  jsonEncodeShare: number;
  /** Result JSON.parse, as a share of one engine.decide (realistic). */
  jsonDecodeShare: number;
  inputBytes: { realistic: number; typical: number };
  wasmMemoryBytes: number;
  arenaBytes: number;
  preparedMode: string;
}

/** Time per call of `fn` over `durationMs` after a warm-up: the best of five slices, in CPU and elapsed ns. */
export function timeIt(fn: () => void, durationMs: number): { cpuNs: number; wallNs: number } {
  // Warm until the optimising compiler has had its go (a fixed count is not enough on a busy machine).
  const warm = performance.now() + Math.min(300, durationMs / 2);
  for (let i = 0; i < 2000 || performance.now() < warm; i++) fn();
  let cpuNs = Infinity;
  let wallNs = Infinity;
  for (let slice = 0; slice < 5; slice++) {
    let n = 0;
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    const end = start + BigInt(Math.round((durationMs / 5) * 1e6));
    let now = start;
    while (now < end) {
      for (let i = 0; i < 200; i++) fn();
      n += 200;
      now = process.hrtime.bigint();
    }
    const used = process.cpuUsage(cpu);
    cpuNs = Math.min(cpuNs, ((used.user + used.system) * 1000) / n);
    wallNs = Math.min(wallNs, Number(now - start) / n);
  }
  return { cpuNs, wallNs };
}

const rate = (t: { cpuNs: number; wallNs: number }): Rate => ({
  decisionsPerSecond: Math.round(1e9 / t.cpuNs),
  microsPerDecision: Math.round(t.cpuNs / 10) / 100,
  wallMicrosPerDecision: Math.round(t.wallNs / 10) / 100,
});

/**
 * The gateway's path for an input: the records and verified claims it would
 * hold in its caches, turned into prepared parts by gateway/policy/prepared-input.ts
 * on every call (as the gate does), then decidePrepared.
 */
function gatewayPath(engine: PolicyEngine, input: DecisionInput): () => DecisionResult {
  const p = input.principal;
  const user: UserRecord = {
    id: p.user_id, tenantId: p.tenant_id, type: p.type, resellerId: p.reseller_id || null, merchantId: p.merchant_id || null,
    roleId: p.role.id, status: p.status, merchantsAccess: p.merchants_access, merchantResellers: p.merchant_resellers,
    productIds: p.product_ids, gatewayRefIds: p.gateway_ref_ids,
  };
  const role: RoleRecord = { id: p.role.id, tenantId: p.tenant_id, enabled: p.role.enabled, acl: p.role.acl };
  const session: SessionRecord = { id: 'session', userId: p.user_id, active: true, expiresAt: Date.now() + 3_600_000 };
  const m = input.request.merchant;
  const merchant: MerchantRecordCached | null = m === null ? null : { id: m.id, tenantId: m.tenant_id, resellerId: m.reseller_id || null };
  const claims: GatewayClaims = { sub: p.user_id, tid: p.tenant_id, sid: 'session', ctx_type: input.context.type, ctx_id: input.context.id, jti: 'j', exp: 0 };
  const { module, action, merchant_id, product_id, gateway_ref_id, product_required, gateway_ref_required, maker_id } = input.request;
  const request = { module, action, merchant_id, product_id, gateway_ref_id, product_required, gateway_ref_required, maker_id };
  const inputs = new PreparedInputs();
  return () => engine.decidePrepared(inputs.parts(claims, user, role, session, merchant, request, Date.now()));
}

export async function benchPolicy(durationMs = 2000, dir = 'build/policy'): Promise<PolicyBenchResult> {
  const engine = await PolicyEngine.load(dir);
  const sdk = await loadPolicy(await readFile(join(dir, 'policy.wasm')));
  sdk.setData(JSON.parse(await readFile(join(dir, 'data.json'), 'utf8')) as object);
  const fastR = gatewayPath(engine, realisticInput);
  const fastT = gatewayPath(engine, typicalInput);
  for (const [input, fast] of [[realisticInput, fastR], [typicalInput, fastT]] as const) {
    const plain = engine.decide(input);
    if (!plain.allow || JSON.stringify(plain) !== JSON.stringify(fast())) throw new Error(`benchmark input should be allowed the same way: ${JSON.stringify([plain, fast()])}`);
  }
  const plainRealistic = timeIt(() => engine.decide(realisticInput), durationMs);
  const plainTypical = timeIt(() => engine.decide(typicalInput), durationMs);
  const sdkRealistic = timeIt(() => sdk.evaluate(realisticInput, 'authz/decision'), durationMs / 2);
  const fastRealistic = timeIt(fastR, durationMs);
  const fastTypical = timeIt(fastT, durationMs);
  const encoder = new TextEncoder();
  const encode = timeIt(() => encoder.encode(JSON.stringify(realisticInput)), durationMs / 2);
  const resultText = JSON.stringify([{ result: engine.decide(realisticInput) }]);
  const decode = timeIt(() => JSON.parse(resultText), durationMs / 2);
  return {
    realistic: rate(plainRealistic),
    typical: rate(plainTypical),
    sdk: { realistic: rate(sdkRealistic) },
    gatewayPath: { realistic: rate(fastRealistic), typical: rate(fastTypical) },
    jsonEncodeShare: encode.cpuNs / plainRealistic.cpuNs,
    jsonDecodeShare: decode.cpuNs / plainRealistic.cpuNs,
    inputBytes: {
      realistic: encoder.encode(JSON.stringify(realisticInput)).byteLength,
      typical: encoder.encode(JSON.stringify(typicalInput)).byteLength,
    },
    wasmMemoryBytes: engine.wasmMemoryBytes,
    arenaBytes: engine.arenaBytes,
    preparedMode: engine.preparedMode,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchPolicy(Number(process.env['BENCH_MS'] ?? 2000));
  console.log(JSON.stringify(r, null, process.argv.includes('--json') ? 0 : 2));
}
