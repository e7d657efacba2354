// The gate's prepared parts (gateway/policy/prepared-input.ts) stand for exactly the
// input the decision log shows: same answers as deciding the whole input, a
// part remade when a record object is replaced or the session expires, and
// shared (not parsed again) when a reloaded record has the same content.
import { beforeAll, describe, expect, it } from 'vitest';
import { PreparedInputs } from '../../gateway/policy/prepared-input.ts';
import type { GatewayClaims } from '../../gateway/tokens/token-verifier.ts';
import { PolicyEngine, type PreparedRequest } from '../../core/policy/engine.ts';
import { merchantInput, principalInput } from '../../core/principal/build.ts';
import type { MerchantRecordCached, RoleRecord, SessionRecord, UserRecord } from '../../core/principal/records.ts';

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await PolicyEngine.load('build/policy');
});

const user = (over: Partial<UserRecord> = {}): UserRecord => ({
  id: 'u1', tenantId: 't', type: 'RESELLER', resellerId: 'r1', merchantId: null, roleId: 'role', status: 'ACTIVE',
  merchantsAccess: ['m1', 'm2'], merchantResellers: { m1: 'r1', m2: 'r1' }, productIds: [], gatewayRefIds: [], ...over,
});
const role = (over: Partial<RoleRecord> = {}): RoleRecord => ({ id: 'role', tenantId: 't', enabled: true, acl: { orders: 'RW' }, ...over });
const session = (over: Partial<SessionRecord> = {}): SessionRecord => ({ id: 's1', userId: 'u1', active: true, expiresAt: Date.now() + 60_000, ...over });
const merchant = (id = 'm1'): MerchantRecordCached => ({ id, tenantId: 't', resellerId: 'r1' });
const claims: GatewayClaims = { sub: 'u1', tid: 't', sid: 's1', ctx_type: 'RESELLER', ctx_id: 'r1', jti: 'j', exp: 0 };
const request = (over: Partial<PreparedRequest> = {}): PreparedRequest => ({
  module: 'orders', action: 'read', merchant_id: 'm1', product_id: '', gateway_ref_id: '', product_required: false, gateway_ref_required: false, maker_id: '', ...over,
});

function whole(u: UserRecord, r: RoleRecord | null, s: SessionRecord | null, m: MerchantRecordCached | null, req: PreparedRequest, now: number) {
  return engine.decide({ principal: principalInput(u, r, s, now), context: { type: claims.ctx_type, id: claims.ctx_id }, request: { ...req, merchant: merchantInput(m) } });
}

describe('prepared decision inputs of the gate', () => {
  it('decide as the whole input does, across record changes, merchants, actions and expiry', () => {
    const inputs = new PreparedInputs();
    const now = Date.now();
    const cases: [UserRecord, RoleRecord | null, SessionRecord | null, MerchantRecordCached | null, PreparedRequest][] = [
      [user(), role(), session(), merchant(), request()],
      [user(), role(), session(), merchant('m2'), request({ merchant_id: 'm2', action: 'write' })],
      [user(), role(), session(), merchant('m3'), request({ merchant_id: 'm3' })],
      [user(), role(), session(), null, request({ merchant_id: '' })],
      [user({ status: 'DISABLED' }), role(), session(), merchant(), request()],
      [user(), role({ enabled: false }), session(), merchant(), request()],
      [user(), role({ acl: { orders: 'R' } }), session(), merchant(), request({ action: 'write' })],
      [user(), null, session(), merchant(), request()],
      [user(), role(), session({ expiresAt: now - 1 }), merchant(), request()],
      [user(), role(), session({ active: false }), merchant(), request()],
      [user(), role(), null, merchant(), request()],
      [user({ productIds: ['p1'] }), role(), session(), merchant(), request({ product_id: 'p2' })],
    ];
    const answers = new Set<string>();
    for (const [u, r, s, m, req] of cases) {
      const got = engine.decidePrepared(inputs.parts(claims, u, r, s, m, req, now));
      expect(got).toEqual(whole(u, r, s, m, req, now));
      answers.add(JSON.stringify(got.reasons));
    }
    expect(answers.size).toBeGreaterThan(5);
  });

  it('remakes the principal when its session expires, and shares parts of records reloaded unchanged', () => {
    const inputs = new PreparedInputs();
    const s = session({ expiresAt: 1_000_000 });
    const [u, r] = [user(), role()];
    const before = inputs.parts(claims, u, r, s, merchant(), request(), 999_999);
    expect(engine.decidePrepared(before).allow).toBe(true);
    const after = inputs.parts(claims, u, r, s, merchant(), request(), 1_000_001);
    expect(after.principal).not.toBe(before.principal);
    expect(engine.decidePrepared(after).reasons).toEqual(['SESSION_REVOKED']);

    // A reload gives new objects with the same content: the same parts come back.
    const again = inputs.parts(claims, user(), role(), session({ expiresAt: 1_000_000 }), merchant(), request(), 999_999);
    expect(again.principal).toBe(before.principal);
    expect(again.request).toBe(before.request);
    // A changed record gives a new part.
    const changed = inputs.parts(claims, user({ merchantsAccess: ['m2'] }), r, s, merchant(), request(), 999_999);
    expect(changed.principal).not.toBe(before.principal);
    expect(engine.decidePrepared(changed).reasons).toEqual(['MERCHANT_ACCESS_DENIED']);
  });

  it('sends a route\'s request facts with the call: the same answers as the whole input, nothing kept in the arena', () => {
    const inputs = new PreparedInputs();
    const now = Date.now();
    const [u, r, s, m] = [user(), role(), session(), merchant()];
    const whole = (req: PreparedRequest, facts: Record<string, unknown>) => engine.decide({
      principal: principalInput(u, r, s, now), context: { type: claims.ctx_type, id: claims.ctx_id }, request: { ...req, merchant: merchantInput(m), ...facts },
    });
    // Warm: the principal, context and a plain request part are in the arena.
    engine.decidePrepared(inputs.parts(claims, u, r, s, m, request(), now));
    const arena = engine.arenaBytes;
    for (let i = 0; i < 200; i++) {
      const facts = { method: 'GET', path: ['orders', `o-${i}`], query: { page: String(i), tag: ['a', 'b'] }, headers: { 'x-channel': 'web' } };
      const parts = inputs.parts(claims, u, r, s, m, request(), now, JSON.stringify(facts).slice(1, -1));
      expect(typeof parts.request).toBe('string');
      expect(engine.decidePrepared(parts)).toEqual(whole(request(), facts));
    }
    expect(engine.arenaBytes).toBe(arena);
    // A fact of the wrong type denies on both paths (decision_input.rego).
    const bad = inputs.parts(claims, u, r, s, m, request(), now, '"path":"/orders/1"');
    expect(engine.decidePrepared(bad).reasons).toEqual(['INVALID_INPUT']);
    expect(whole(request(), { path: '/orders/1' }).reasons).toEqual(['INVALID_INPUT']);
    // Without facts the request part is the shared prepared one, as before.
    expect(inputs.parts(claims, u, r, s, m, request(), now).request).toBe(inputs.parts(claims, u, r, s, m, request(), now).request);
  });
});
