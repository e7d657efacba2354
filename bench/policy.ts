// Policy micro-benchmark: decisions per second on one core for the real
// bundle, with a realistic gateway input (a reseller user with 20 listed
// merchants) and a typical one (no listed merchants: the whole reseller), and
// how much of a decision is JSON encoding of the input and decoding of the
// result. Run alone (`tsx bench/policy.ts`) or by bench/run.ts in a child
// process of its own, so nothing else shares its core's event loop.
import { PolicyEngine } from '../src/policy/engine.ts';
import type { DecisionInput } from '../src/policy/types.ts';

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
    maker_id: '',
  },
};

/** The same caller with no listed merchants (`[]`: every merchant of its reseller), the common case. */
export const typicalInput: DecisionInput = {
  ...realisticInput,
  principal: { ...realisticInput.principal, merchants_access: [], merchant_resellers: {} },
};

export interface Rate {
  decisionsPerSecond: number;
  microsPerDecision: number;
}

export interface PolicyBenchResult {
  /** The full SDK path from a JS object: stringify, encode, parse in wasm, evaluate, dump, parse. */
  realistic: Rate;
  typical: Rate;
  /** What the gateway's hot path pays when the memo misses: the principal prepared once per record change. */
  gatewayPath?: { realistic: Rate; typical: Rate };
  /** Input JSON.stringify + UTF-8 encoding, as a share of one realistic decision. */
  jsonEncodeShare: number;
  /** Result JSON.parse, as a share of one realistic decision. */
  jsonDecodeShare: number;
  inputBytes: { realistic: number; typical: number };
  wasmMemoryBytes: number;
}

/** ns per call of `fn`, over `durationMs` after a warm-up. */
export function timeIt(fn: () => void, durationMs: number): number {
  for (let i = 0; i < 2000; i++) fn();
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(durationMs * 1e6));
  let now = start;
  while (now < end) {
    for (let i = 0; i < 200; i++) fn();
    n += 200;
    now = process.hrtime.bigint();
  }
  return Number(now - start) / n;
}

const rate = (ns: number): Rate => ({ decisionsPerSecond: Math.round(1e9 / ns), microsPerDecision: Math.round(ns / 10) / 100 });

export async function benchPolicy(durationMs = 2000, dir = 'build/policy'): Promise<PolicyBenchResult> {
  const engine = await PolicyEngine.load(dir);
  for (const input of [realisticInput, typicalInput]) {
    const check = engine.decide(input);
    if (!check.allow) throw new Error(`benchmark input should be allowed: ${JSON.stringify(check)}`);
  }
  const nsRealistic = timeIt(() => engine.decide(realisticInput), durationMs);
  const nsTypical = timeIt(() => engine.decide(typicalInput), durationMs);
  const encoder = new TextEncoder();
  const nsEncode = timeIt(() => encoder.encode(JSON.stringify(realisticInput)), durationMs / 2);
  const resultText = JSON.stringify([{ result: engine.decide(realisticInput) }]);
  const nsDecode = timeIt(() => JSON.parse(resultText), durationMs / 2);
  return {
    realistic: rate(nsRealistic),
    typical: rate(nsTypical),
    jsonEncodeShare: nsEncode / nsRealistic,
    jsonDecodeShare: nsDecode / nsRealistic,
    inputBytes: {
      realistic: encoder.encode(JSON.stringify(realisticInput)).byteLength,
      typical: encoder.encode(JSON.stringify(typicalInput)).byteLength,
    },
    wasmMemoryBytes: engine.wasmMemoryBytes,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchPolicy(Number(process.env['BENCH_MS'] ?? 2000));
  console.log(JSON.stringify(r, null, process.argv.includes('--json') ? 0 : 2));
}
