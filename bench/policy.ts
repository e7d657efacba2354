// Policy micro-benchmark: decisions per second on one core for the real
// bundle and a realistic gateway input, and how much of each decision is
// JSON encoding of the input and decoding of the result.
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

export interface PolicyBenchResult {
  decisionsPerSecond: number;
  microsPerDecision: number;
  jsonEncodeShare: number;
  jsonDecodeShare: number;
}

export async function benchPolicy(durationMs = 3000, dir = 'build/policy'): Promise<PolicyBenchResult> {
  const engine = await PolicyEngine.load(dir);
  const check = engine.decide(realisticInput);
  if (!check.allow) throw new Error(`benchmark input should be allowed: ${JSON.stringify(check)}`);

  const run = (fn: () => void): number => {
    for (let i = 0; i < 2000; i++) fn(); // warm up
    let n = 0;
    const start = process.hrtime.bigint();
    const end = start + BigInt(durationMs) * 1_000_000n;
    let now = start;
    while (now < end) {
      for (let i = 0; i < 500; i++) fn();
      n += 500;
      now = process.hrtime.bigint();
    }
    return Number(now - start) / n; // ns per op
  };

  const nsDecision = run(() => engine.decide(realisticInput));
  const encoder = new TextEncoder();
  const nsEncode = run(() => encoder.encode(JSON.stringify(realisticInput)));
  const resultText = JSON.stringify([{ result: check }]);
  const nsDecode = run(() => JSON.parse(resultText));
  return {
    decisionsPerSecond: Math.round(1e9 / nsDecision),
    microsPerDecision: nsDecision / 1000,
    jsonEncodeShare: nsEncode / nsDecision,
    jsonDecodeShare: nsDecode / nsDecision,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchPolicy(Number(process.env['BENCH_MS'] ?? 3000));
  console.log(JSON.stringify(r, null, 2));
}
