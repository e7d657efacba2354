// The gateway's hot path (PolicyEngine.decidePrepared: principal, context and
// request parsed into the wasm once, linked into each input by address) must answer exactly as the SDK evaluating the whole input as JSON.
// Checked on a few thousand generated inputs, with the arena emptied often,
// prepared parts shared between two engines (a policy swap), and the parsed
// parts' bytes left untouched by evaluations.
import { readFile } from 'node:fs/promises';
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { PolicyEngine, prepareContext, preparePrincipal, prepareRequest, type PreparedParts } from '../../core/policy/engine.ts';
import type { DecisionInput, PrincipalInput } from '../../core/policy/types.ts';
import type { ContextType } from '../../src/roles/role.entity.ts';

let oracle: LoadedPolicy;
beforeAll(async () => {
  oracle = await loadPolicy(await readFile('build/policy/policy.wasm'));
  oracle.setData(JSON.parse(await readFile('build/policy/data.json', 'utf8')) as object);
});

/** Deterministic pseudo-random numbers (mulberry32), so a failure reproduces. */
function rng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { next, pick };
}

const merchants = ['m1', 'm2', 'm3', 'm4', 'm5', 'ünïcode-m6'];
const resellerOf: Record<string, string> = { m1: 'r1', m2: 'r1', m3: '', m4: 'r2', m5: 'r2', 'ünïcode-m6': 'r1' };
const levels = ['NA', 'R', 'RW', 'CHECKER'] as const;

function generate(seed: number, count: number): DecisionInput[] {
  const r = rng(seed);
  const out: DecisionInput[] = [];
  for (let i = 0; i < count; i++) {
    const type = r.pick<ContextType>(['TENANT', 'RESELLER', 'MERCHANT']);
    const listed = r.next() < 0.5 ? [] : merchants.filter(() => r.next() < 0.5);
    const principal: PrincipalInput = {
      user_id: `u${Math.floor(r.next() * 5)}`,
      tenant_id: r.next() < 0.9 ? 't' : 'other',
      type,
      reseller_id: type === 'RESELLER' ? r.pick(['r1', 'r2']) : '',
      merchant_id: type === 'MERCHANT' ? r.pick(merchants) : '',
      status: r.next() < 0.9 ? 'ACTIVE' : 'DISABLED',
      session_active: r.next() < 0.95,
      role: {
        id: 'role',
        enabled: r.next() < 0.95,
        acl: Object.fromEntries(['orders', 'refunds', 'payments', '*'].filter(() => r.next() < 0.6).map((m) => [m, r.pick(levels)])),
      },
      merchants_access: type === 'MERCHANT' ? [] : listed,
      merchant_resellers: Object.fromEntries(listed.map((m) => [m, resellerOf[m]!])),
      product_ids: r.next() < 0.7 ? [] : ['p1', 'p2'].filter(() => r.next() < 0.6),
      gateway_ref_ids: r.next() < 0.7 ? [] : ['g1'],
    };
    // Mostly the principal's own type of context, so reachable contexts are common.
    const ctxType = r.next() < 0.6 ? type : r.pick<ContextType>(['TENANT', 'RESELLER', 'MERCHANT']);
    const named = r.next() < 0.3 ? '' : r.pick([...merchants, 'unknown']);
    const merchant = named === '' || named === 'unknown' ? null : { id: named, tenant_id: r.next() < 0.9 ? 't' : 'other', reseller_id: resellerOf[named]! };
    out.push({
      principal,
      context: { type: ctxType, id: ctxType === 'TENANT' ? 't' : ctxType === 'RESELLER' ? r.pick(['r1', 'r2']) : r.pick(merchants) },
      request: {
        module: r.pick(['orders', 'refunds', 'payments', 'analytics']),
        action: r.pick(['read', 'write', 'approve'] as const),
        merchant,
        merchant_id: named,
        product_id: r.next() < 0.6 ? '' : r.pick(['p1', 'p2', 'p3']),
        gateway_ref_id: r.next() < 0.7 ? '' : r.pick(['g1', 'g2']),
        product_required: r.next() < 0.3,
        gateway_ref_required: r.next() < 0.3,
        maker_id: r.next() < 0.8 ? '' : r.pick(['u0', 'u1', 'someone']),
        ...(r.next() < 0.2 ? { maker_context: { type: 'TENANT', id: 't' } } : {}),
        ...(r.next() < 0.5 ? { made_at: 1000, checker_appointments: r.next() < 0.5 ? [] : [{ by: r.pick(['u0', 'someone']), at: r.pick([999, 1000]), what: 'user.invite' }] } : {}),
      },
    });
  }
  return out;
}

function prepare(i: DecisionInput): PreparedParts {
  return { principal: preparePrincipal(i.principal), context: prepareContext(i.context), request: prepareRequest(i.request) };
}

function expected(i: DecisionInput) {
  const [first] = oracle.evaluate(i, 'authz/decision') as { result: Record<string, unknown> }[];
  return { ...first!.result, allow: first!.result['allow'] === true };
}

describe('prepared decision inputs', () => {
  it('decide exactly as the SDK on generated inputs, including after the arena empties', async () => {
    const engine = await PolicyEngine.load('build/policy', { arenaMaxBytes: 16 * 1024 });
    expect(engine.preparedMode).toBe('arena');
    const inputs = generate(7, 1500);
    const prepared = inputs.map(prepare);
    let allowed = 0;
    // Twice over the same prepared parts: the second pass finds them parsed, or parsed in an older arena generation.
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < inputs.length; k++) {
        const want = expected(inputs[k]!);
        const got = engine.decidePrepared(prepared[k]!);
        if (JSON.stringify(sorted(got)) !== JSON.stringify(sorted(want))) {
          throw new Error(`input ${k}: ${JSON.stringify(inputs[k])}\nwanted ${JSON.stringify(want)}\ngot ${JSON.stringify(got)}`);
        }
        if (got.allow) allowed++;
      }
    }
    // The generator reaches both answers often.
    expect(allowed).toBeGreaterThan(100);
    expect(allowed).toBeLessThan(2 * inputs.length - 100);
    expect(engine.arenaBytes).toBeLessThan(16 * 1024 + 8 * 1024);
  });

  it('leaves the parsed parts untouched by evaluations', async () => {
    const engine = await PolicyEngine.load('build/policy');
    const inputs = generate(11, 300);
    const prepared = inputs.map(prepare);
    for (const p of prepared) engine.decidePrepared(p);
    const evaluator = (engine as unknown as { evaluator: { arenaSnapshot(): Uint8Array } }).evaluator;
    const before = evaluator.arenaSnapshot();
    for (let round = 0; round < 3; round++) for (const p of prepared) engine.decidePrepared(p);
    expect(Buffer.compare(before, evaluator.arenaSnapshot())).toBe(0);
  });

  it('serves prepared parts to two engines in turn (a policy swap)', async () => {
    const [a, b] = await Promise.all([PolicyEngine.load('build/policy'), PolicyEngine.load('build/policy')]);
    const inputs = generate(23, 200);
    const prepared = inputs.map(prepare);
    for (let k = 0; k < inputs.length; k++) {
      const want = JSON.stringify(sorted(expected(inputs[k]!)));
      expect(JSON.stringify(sorted(a.decidePrepared(prepared[k]!)))).toBe(want);
      expect(JSON.stringify(sorted(b.decidePrepared(prepared[k]!)))).toBe(want);
    }
  });

  it('answers as decide does for the plain path too', async () => {
    const engine = await PolicyEngine.load('build/policy');
    for (const i of generate(5, 300)) expect(sorted(engine.decide(i))).toEqual(sorted(expected(i)));
  });
});

function sorted(v: object) {
  return Object.fromEntries(Object.entries(v).sort(([x], [y]) => x.localeCompare(y)));
}
