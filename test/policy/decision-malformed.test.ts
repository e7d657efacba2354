// Issue 17, finding 19 (decision and approval): anything but an explicit
// allow denies. Thousands of inputs made from realistic allowed ones by
// removing a fact or giving it another type (null, "", "false", 0, {}, [],
// a lower-case enum, an empty id, …) — one fact, then two at random — are
// evaluated by the compiled wasm as both services load it, through the plain
// and the prepared path: every one must deny, and the answer must always be a
// well-formed decision (never an error, never a missing field).
import { beforeAll, describe, expect, it } from 'vitest';
import { PolicyEngine, prepareContext, preparePrincipal, prepareRequest } from '../../core/policy/engine.ts';
import type { DecisionInput, DecisionResult } from '../../core/policy/types.ts';

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await PolicyEngine.load('build/policy');
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const principal = {
  user_id: 'u1', tenant_id: 'acme', type: 'TENANT', reseller_id: '', merchant_id: '', status: 'ACTIVE', session_active: true,
  role: { id: 'role1', enabled: true, acl: { orders: 'RW', refunds: 'CHECKER' } },
  merchants_access: [], merchant_resellers: {}, product_ids: [], gateway_ref_ids: [],
};
const m1 = { id: 'm1', tenant_id: 'acme', reseller_id: 'r1' };
const request = {
  module: 'orders', action: 'read', merchant: m1, merchant_id: 'm1', product_id: '', gateway_ref_id: '',
  product_required: false, gateway_ref_required: false, maker_id: '',
};
/** Realistic inputs the policy allows (checked below): each mutation of them must deny. */
const bases: Json[] = [
  { principal, context: { type: 'TENANT', id: 'acme' }, request },
  { principal: { ...principal, product_ids: ['p1'], gateway_ref_ids: ['g1'] }, context: { type: 'TENANT', id: 'acme' },
    request: { ...request, action: 'write', product_id: 'p1', gateway_ref_id: 'g1', product_required: true, gateway_ref_required: true } },
  { principal: { ...principal, merchants_access: ['m1'], merchant_resellers: { m1: 'r1' } }, context: { type: 'RESELLER', id: 'r1' },
    request: { ...request, merchant: null, merchant_id: '' } },
  { principal: { ...principal, type: 'RESELLER', reseller_id: 'r1' }, context: { type: 'RESELLER', id: 'r1' }, request },
  { principal: { ...principal, type: 'MERCHANT', merchant_id: 'm1' }, context: { type: 'MERCHANT', id: 'm1' }, request: { ...request, merchant_id: '' } },
  { principal, context: { type: 'TENANT', id: 'acme' },
    request: { ...request, module: 'refunds', action: 'approve', maker_id: 'u9', maker_context: { type: 'TENANT', id: 'acme' },
      made_at: 1000, checker_appointments: [{ by: 'u8', at: 2000, what: 'user.invite' }], product_required: true, gateway_ref_required: true } },
];

/** Facts that must be non-empty strings, and enums (by path). */
const nonEmpty = /^(principal\.(user_id|tenant_id)|context\.id|request\.(module|merchant\.(id|tenant_id)|maker_context\.id|checker_appointments\.\d+\.by))$/;
const enums = /^(principal\.type|context\.type|request\.action|request\.maker_context\.type)$/;

/** Values of another type than `v` (or an invalid one of its type). */
function wrongValues(v: Json, key: string, path: string): Json[] {
  const common: Json[] = [null, 0, 1, true, false, {}, [], 'x'];
  if (typeof v === 'string') {
    const out: Json[] = [null, 0, 1, true, false, {}, [], [v]];
    if (enums.test(path)) out.push(v === v.toLowerCase() ? v.toUpperCase() : v.toLowerCase(), ` ${v}`, `${v}S`);
    if (nonEmpty.test(path) || (path === 'request.maker_id' && v !== '')) out.push('');
    return out;
  }
  if (typeof v === 'boolean') return ['true', 'false', 1, 0, null, {}, [], ''];
  if (typeof v === 'number') return [String(v), null, true, {}, []];
  if (Array.isArray(v)) return ['', 'm1', {}, null, 0, true, [1], [null], [''], [{}], [[]]];
  if (v === null) return ['', 0, false, [], 'null', { id: 'm1' }];
  const obj: Json[] = common.filter((c) => !(typeof c === 'object' && c !== null && !Array.isArray(c)));
  if (key === 'acl') obj.push({ orders: 'rw' }, { orders: 2 }, { orders: null }, { orders: ['RW'] }, { orders: 'ADMIN' });
  if (key === 'merchant_resellers') obj.push({ m1: 1 }, { m1: null }, { m1: ['r1'] });
  return obj;
}

interface Mutation { path: string[]; value: Json | undefined }

/** Every path to a fact of `v`, with each way of breaking it (`undefined`: removed). */
function mutations(v: Json, path: string[] = []): Mutation[] {
  const out: Mutation[] = [];
  if (path.length > 0) {
    const key = path[path.length - 1]!;
    const isItem = /^\d+$/.test(key);
    if (!isItem && !(key === 'orders' || key === 'refunds' || key === 'm1')) out.push({ path, value: undefined });
    for (const w of wrongValues(v, isItem ? 'item' : key, path.join('.'))) out.push({ path, value: w });
  } else {
    for (const w of [null, [], 'input', 0, {}]) out.push({ path, value: w });
  }
  if (v !== null && typeof v === 'object') {
    for (const [k, child] of Array.isArray(v) ? v.map((c, i) => [String(i), c] as const) : Object.entries(v)) out.push(...mutations(child, [...path, k]));
  }
  return out;
}

function apply(base: Json, m: Mutation): Json {
  if (m.path.length === 0) return m.value ?? null;
  const copy = structuredClone(base) as Record<string, Json>;
  let at: Record<string, Json> = copy;
  for (const k of m.path.slice(0, -1)) at = at[k] as Record<string, Json>;
  const last = m.path[m.path.length - 1]!;
  if (m.value === undefined) {
    if (Array.isArray(at)) at.splice(Number(last), 1);
    else delete at[last];
  } else at[last] = m.value;
  return copy;
}

/** A mutation that leaves the input valid (a removed array item, an id equal to an allowed one): not a malformed input. */
function stillValid(m: Mutation): boolean {
  const key = m.path[m.path.length - 1];
  return m.value === undefined && /^\d+$/.test(key ?? '');
}

/** Deterministic pseudo-random numbers (mulberry32), so a failure is reproducible. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function wellFormedDeny(r: DecisionResult): boolean {
  return r.allow === false && Array.isArray(r.reasons) && r.reasons.length > 0
    && [r.merchant_id, r.merchant_scope, r.product_scope, r.gateway_ref_scope].every((v) => typeof v === 'string');
}

describe('authz/decision on malformed inputs', () => {
  it('allows every base input (so each mutation is what makes the difference)', () => {
    for (const b of bases) expect(engine.decide(b as unknown as DecisionInput)).toMatchObject({ allow: true, reasons: [] });
  });

  it('denies every input with one fact removed or mistyped, on the plain and the prepared path', () => {
    const bad: string[] = [];
    let n = 0;
    for (const [i, base] of bases.entries()) {
      for (const m of mutations(base)) {
        if (stillValid(m)) continue;
        const input = apply(base, m) as unknown as DecisionInput;
        n++;
        const plain = engine.decide(input);
        if (!wellFormedDeny(plain)) bad.push(`base ${i} ${m.path.join('.')} = ${JSON.stringify(m.value) ?? 'removed'}: ${JSON.stringify(plain)}`);
        const p = input as unknown as Record<string, Json>;
        if (p && typeof p === 'object' && !Array.isArray(p) && p['principal'] !== undefined && p['context'] !== undefined && p['request'] && typeof p['request'] === 'object' && !Array.isArray(p['request'])) {
          // The gateway builds typed parts only; a part that is not even JSON fails to evaluate, which the gate answers 503.
          let allowed = false;
          try {
            allowed = engine.decidePrepared({ principal: preparePrincipal(input.principal), context: prepareContext(input.context), request: prepareRequest(input.request) }).allow;
          } catch {
            allowed = false;
          }
          if (allowed) bad.push(`prepared: base ${i} ${m.path.join('.')}`);
        }
      }
    }
    expect(n).toBeGreaterThan(1000);
    expect(bad).toEqual([]);
  });

  it('denies every input with two facts broken at random (3000 inputs)', () => {
    const next = rng(17);
    const all = bases.map((b) => mutations(b).filter((m) => !stillValid(m) && m.path.length > 0));
    const bad: string[] = [];
    for (let k = 0; k < 3000; k++) {
      const i = Math.floor(next() * bases.length);
      const ms = all[i]!;
      const a = ms[Math.floor(next() * ms.length)]!;
      const b = ms[Math.floor(next() * ms.length)]!;
      let input: Json;
      try {
        input = apply(apply(bases[i]!, a), b);
      } catch {
        continue; // the second path no longer exists after the first: nothing to apply
      }
      const r = engine.decide(input as unknown as DecisionInput);
      if (!wellFormedDeny(r)) bad.push(`base ${i} ${a.path.join('.')}=${JSON.stringify(a.value)} & ${b.path.join('.')}=${JSON.stringify(b.value)}: ${JSON.stringify(r)}`);
    }
    expect(bad).toEqual([]);
  });
});
