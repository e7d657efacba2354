// Generated malformed inputs for `authz/admin` and `authz/role_check`,
// evaluated by the compiled wasm bundle the control plane loads (issue 17,
// findings 15 and 19; the Rego suite has the same generator in
// policies/authz/admin_generated_test.rego): starting from inputs that are
// allowed, every leaf fact replaced by a value of another type, every enum by
// a near miss, every required key removed, and thousands of seeded random
// combinations of those — each must deny. Anything but an explicit allow is a
// deny.
import { beforeAll, describe, expect, it } from 'vitest';
import { PolicyEngine } from '../../core/policy/engine.ts';
import type { AdminInput, RoleCheckInput } from '../../core/policy/types.ts';

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await PolicyEngine.load('build/policy');
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

const candidates: Json[] = [null, 0, 1, true, false, '', 'true', 'false', 'RW', {}, [], ['RW'], { RW: 'RW' }];
const nearMisses: Record<string, string[]> = {
  TENANT: ['tenant', 'Tenant', 'TENANT ', 'ROOT'],
  RESELLER: ['reseller', 'RESELLERS'],
  MERCHANT: ['merchant', 'MERCHANTS'],
  ACTIVE: ['active', 'INVITED', 'DISABLED', 'SOFT_DEL'],
  RW: ['rw', 'W', 'RWX'],
  R: ['r', 'READ'],
  CHECKER: ['checker'],
};
const typeOf = (v: Json) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function leaves(doc: Json, path: Path = []): [Path, Json][] {
  if (doc !== null && typeof doc === 'object') {
    const entries: [string | number, Json][] = Array.isArray(doc) ? doc.map((v, i) => [i, v]) : Object.entries(doc);
    return entries.flatMap(([k, v]) => leaves(v, [...path, k]));
  }
  return path.length > 0 ? [[path, doc]] : [];
}

/** Object keys whose removal must deny: not inside an ACL (a module left out is NA) nor a map, nor an optional fact. */
function requiredKeys(doc: Json, optional: Set<string>, path: Path = []): Path[] {
  if (doc === null || typeof doc !== 'object') return [];
  const entries: [string | number, Json][] = Array.isArray(doc) ? doc.map((v, i) => [i, v]) : Object.entries(doc);
  return entries.flatMap(([k, v]) => {
    const here = [...path, k];
    const inMap = path.some((p) => p === 'acl' || p === 'actor_acl' || p === 'previous_acl' || p === 'merchant_resellers');
    const own = typeof k === 'string' && !inMap && !(path.length === 0 && optional.has(k)) ? [here] : [];
    return [...own, ...requiredKeys(v, optional, here)];
  });
}

function withValue(doc: Json, path: Path, value: Json | undefined): Json {
  const copy = structuredClone(doc) as Record<string | number, Json>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(at)) at.splice(last as number, 1);
    else delete at[last];
  } else at[last] = value;
  return copy;
}

/** Single mutations: another type, a near miss, a removal. */
function mutations(doc: Json, optional: Set<string>): { path: Path; value: Json | undefined }[] {
  const out: { path: Path; value: Json | undefined }[] = [];
  for (const [path, v] of leaves(doc)) {
    for (const bad of candidates) if (typeOf(bad) !== typeOf(v)) out.push({ path, value: bad });
    for (const miss of typeof v === 'string' ? (nearMisses[v] ?? []) : []) out.push({ path, value: miss });
  }
  for (const path of requiredKeys(doc, optional)) out.push({ path, value: undefined });
  return out;
}

/** A small seeded PRNG (mulberry32): the same inputs on every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generated(bases: Json[], optional: Set<string>, combos: number): Json[] {
  const out: Json[] = [];
  const next = random(17);
  for (const base of bases) {
    const single = mutations(base, optional);
    for (const m of single) out.push(withValue(base, m.path, m.value));
    // Two or three mutations at once, applied in path order (a removed parent ends the chain).
    for (let i = 0; i < combos; i++) {
      let doc = base;
      const n = 2 + Math.floor(next() * 2);
      for (let j = 0; j < n; j++) {
        const m = single[Math.floor(next() * single.length)]!;
        try {
          doc = withValue(doc, m.path, m.value);
        } catch {
          break;
        }
      }
      out.push(doc);
    }
  }
  return out;
}

const principal = {
  user_id: 'u1', tenant_id: 'acme', type: 'TENANT', reseller_id: '', merchant_id: '', status: 'ACTIVE', session_active: true,
  role: { id: 'ua', enabled: true, acl: { users: 'RW', roles: 'RW', tenants: 'RW', user_hard_delete: 'RW', merchants: 'R' } },
  merchants_access: [], merchant_resellers: {}, product_ids: [], gateway_ref_ids: [],
};
const tenantCtx = { type: 'TENANT', id: 'acme' };
const m1 = { id: 'm1', tenant_id: 'acme', reseller_id: '' };
const m2 = { id: 'm2', tenant_id: 'acme', reseller_id: 'r1' };

const adminBases: Json[] = [
  {
    principal, context: tenantCtx, operation: 'users.update',
    target: { id: 'u9', type: 'TENANT', tenant_id: 'acme', reseller_id: '', merchant_id: '', role: { acl: { users: 'R' } } },
    restrictions: { product_ids: [], gateway_ref_ids: [] },
  },
  {
    principal: { ...principal, product_ids: ['p1'] }, context: tenantCtx, operation: 'users.merchant_access.update',
    target: { id: 'u9', type: 'RESELLER', tenant_id: 'acme', reseller_id: 'r1', merchant_id: '', role: { acl: {} } },
    merchants: [m2], restrictions: { product_ids: ['p1'], gateway_ref_ids: [] },
  },
  {
    principal: { ...principal, user_id: 'u3', type: 'MERCHANT', reseller_id: 'r1', merchant_id: 'm2' },
    context: { type: 'MERCHANT', id: 'm2' }, operation: 'users.hard_delete',
    target: { id: 'u9', type: 'MERCHANT', tenant_id: 'acme', reseller_id: 'r1', merchant_id: 'm2', merchant: m2, role: { acl: { users: 'R' } } },
  },
  {
    principal: { ...principal, user_id: 'u2', type: 'RESELLER', reseller_id: 'r1' }, context: { type: 'RESELLER', id: 'r1' }, operation: 'roles.write',
    role: { id: 'x', tenant_id: 'acme', system: false, owner_type: 'MERCHANT', owner_id: 'm2', owner_reseller_id: 'r1', acl: { roles: 'R' } },
  },
  { principal, context: tenantCtx, operation: 'merchants.read', merchant: m1 },
];

const roleCheckBases: Json[] = [
  { acl: { orders: 'R', refund_approvals: 'CHECKER' }, actor_acl: { orders: 'RW', refunds: 'R', refund_approvals: 'CHECKER' } },
  { acl: { '*': 'R', audit: 'R' }, actor_acl: { '*': 'RW', audit: 'R' }, previous_acl: { '*': 'R' } },
];

describe('compiled authz/admin and authz/role_check deny malformed input', () => {
  it('allows the well-formed bases (the generator starts from real allows)', () => {
    for (const base of adminBases) expect(engine.admin(base as unknown as AdminInput), JSON.stringify(base)).toEqual({ allow: true, reasons: [] });
    for (const base of roleCheckBases) expect(engine.roleCheck(base as unknown as RoleCheckInput).allow, JSON.stringify(base)).toBe(true);
  });

  it('denies every generated malformed authz/admin input', () => {
    const inputs = generated(adminBases, new Set(['target', 'merchants', 'restrictions', 'role', 'merchant']), 600);
    expect(inputs.length).toBeGreaterThan(3000);
    const allowed = inputs.filter((i) => engine.admin(i as unknown as AdminInput).allow);
    expect(allowed.slice(0, 3)).toEqual([]);
    // A denial always says why.
    for (const i of inputs.slice(0, 500)) expect(engine.admin(i as unknown as AdminInput).reasons.length).toBeGreaterThan(0);
  });

  it('denies every generated malformed authz/role_check input', () => {
    const inputs = generated(roleCheckBases, new Set(['previous_acl']), 300);
    expect(inputs.length).toBeGreaterThan(500);
    const allowed = inputs.filter((i) => engine.roleCheck(i as unknown as RoleCheckInput).allow === true);
    expect(allowed.slice(0, 3)).toEqual([]);
  });
});
