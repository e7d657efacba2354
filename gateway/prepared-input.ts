// The parts of the policy input that repeat across requests, serialised once
// (src/policy/engine.ts decidePrepared, wasm-evaluator.ts): the principal per
// session record, the context per verified token, the merchant per merchant
// record. Records are replaced, never mutated, when they change, are evicted
// or reloaded (principal-cache.ts), so a part made from the same objects is
// the same part; each hangs off its record in a WeakMap and dies with it.
// The principal also depends on the clock (an expired session is not
// active), so it is remade when the session's expiry passes.
import { prepareContext, prepareMerchant, preparePrincipal, type PreparedParts, type PreparedValue } from '../src/policy/engine.ts';
import { merchantInput, principalInput } from '../src/principal/build.ts';
import type { MerchantRecordCached, RoleRecord, SessionRecord, UserRecord } from '../src/principal/records.ts';
import type { GatewayClaims } from './token-verifier.ts';

interface PrincipalPart {
  user: UserRecord;
  role: RoleRecord | null;
  unexpired: boolean;
  value: PreparedValue;
}

export class PreparedInputs {
  private readonly principals = new WeakMap<SessionRecord, PrincipalPart>();
  private readonly contexts = new WeakMap<GatewayClaims, PreparedValue>();
  private readonly merchants = new WeakMap<MerchantRecordCached, PreparedValue>();

  parts(
    claims: GatewayClaims,
    user: UserRecord,
    role: RoleRecord | null,
    session: SessionRecord | null,
    merchant: MerchantRecordCached | null,
    now: number,
  ): PreparedParts {
    return { principal: this.principal(user, role, session, now), context: this.context(claims), merchant: this.merchant(merchant) };
  }

  private principal(user: UserRecord, role: RoleRecord | null, session: SessionRecord | null, now: number): PreparedValue {
    // Without a session record the principal is inactive anyway (a deny); nothing to hang it on.
    if (session === null) return preparePrincipal(principalInput(user, role, null, now));
    const unexpired = session.expiresAt > now;
    const p = this.principals.get(session);
    if (p !== undefined && p.user === user && p.role === role && p.unexpired === unexpired) return p.value;
    const value = preparePrincipal(principalInput(user, role, session, now));
    this.principals.set(session, { user, role, unexpired, value });
    return value;
  }

  private context(claims: GatewayClaims): PreparedValue {
    let c = this.contexts.get(claims);
    if (c === undefined) this.contexts.set(claims, (c = prepareContext({ type: claims.ctx_type, id: claims.ctx_id })));
    return c;
  }

  private merchant(m: MerchantRecordCached | null): PreparedValue | null {
    if (m === null) return null;
    let v = this.merchants.get(m);
    if (v === undefined) this.merchants.set(m, (v = prepareMerchant(merchantInput(m)!)));
    return v;
  }
}
