// The parts of the policy input that repeat across requests, serialised once
// (src/policy/engine.ts decidePrepared, wasm-evaluator.ts): the principal per
// session record, the context per verified token, the merchant per merchant
// record. Records are replaced, never mutated, when they change, are evicted
// or reloaded (principal-cache.ts), so a part made from the same objects is
// the same part; each hangs off its record in a WeakMap and dies with it.
// The principal also depends on the clock (an expired session is not
// active), so it is remade when the session's expiry passes.
//
// Records are reloaded (new objects, usually the same content) when their
// LRU entry expires; a part remade from such a record is looked up by its
// JSON first, so the wasm keeps the one it already parsed instead of parsing
// and storing the same principal again every 30 s.
import { LRUCache } from 'lru-cache';
import { PreparedValue, type PreparedParts } from '../src/policy/engine.ts';
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
  private readonly byJson: LRUCache<string, PreparedValue>;

  constructor(maxShared = 5000) {
    this.byJson = new LRUCache({ max: maxShared });
  }

  /** The prepared value of this JSON: the one made before if it is still known. */
  private shared(json: string): PreparedValue {
    let v = this.byJson.get(json);
    if (v === undefined) this.byJson.set(json, (v = new PreparedValue(json)));
    return v;
  }

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
    if (session === null) return this.shared(JSON.stringify(principalInput(user, role, null, now)));
    const unexpired = session.expiresAt > now;
    const p = this.principals.get(session);
    if (p !== undefined && p.user === user && p.role === role && p.unexpired === unexpired) return p.value;
    const value = this.shared(JSON.stringify(principalInput(user, role, session, now)));
    this.principals.set(session, { user, role, unexpired, value });
    return value;
  }

  private context(claims: GatewayClaims): PreparedValue {
    let c = this.contexts.get(claims);
    if (c === undefined) this.contexts.set(claims, (c = this.shared(JSON.stringify({ type: claims.ctx_type, id: claims.ctx_id }))));
    return c;
  }

  private merchant(m: MerchantRecordCached | null): PreparedValue | null {
    if (m === null) return null;
    let v = this.merchants.get(m);
    if (v === undefined) this.merchants.set(m, (v = this.shared(JSON.stringify(merchantInput(m)))));
    return v;
  }
}
