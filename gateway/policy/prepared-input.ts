// The policy input as parts serialised once (core/policy/engine.ts
// decidePrepared, wasm-evaluator.ts), so the wasm parses each part once and a
// request costs no JSON at all on the wasm side: the principal per session
// record, the context per verified token, the request per distinct set of its
// fields and merchant record. Records are replaced, never mutated, when they
// change, are evicted or reloaded (principal/cache.ts), so a part made from
// the same objects is the same part; principal and context hang off their
// record in a WeakMap and die with it. The principal also depends on the
// clock (an expired session is not active), so it is remade when the
// session's expiry passes.
//
// Records are reloaded (new objects, usually the same content) when their
// LRU entry expires; a part remade from such a record is looked up by its
// JSON first, so the wasm keeps the one it already parsed instead of parsing
// and storing the same principal again every 30 s. Request parts are looked up
// by their JSON on every request (building it is cheaper than parsing it).
// The request of a route with policyInput (its method, path, query, headers:
// gateway/pipeline/request-facts.ts) is the exception: it is handed over as
// JSON and parsed with its call, never kept.
import { LRUCache } from 'lru-cache';
import { PreparedValue, requestJson, type PreparedParts, type PreparedRequest } from '../../core/policy/engine.ts';
import { merchantInput, principalInput } from '../../core/principal/build.ts';
import type { MerchantRecordCached, RoleRecord, SessionRecord, UserRecord } from '../../core/principal/records.ts';
import type { GatewayClaims } from '../tokens/token-verifier.ts';

interface PrincipalPart {
  user: UserRecord;
  role: RoleRecord | null;
  unexpired: boolean;
  value: PreparedValue;
}

export class PreparedInputs {
  private readonly principals = new WeakMap<SessionRecord, PrincipalPart>();
  private readonly contexts = new WeakMap<GatewayClaims, PreparedValue>();
  private readonly merchantJson = new WeakMap<MerchantRecordCached, string>();
  private readonly byJson: LRUCache<string, PreparedValue>;
  private readonly requests: LRUCache<string, PreparedValue>;

  constructor(maxShared = 5000) {
    this.byJson = new LRUCache({ max: maxShared });
    this.requests = new LRUCache({ max: maxShared });
  }

  parts(
    claims: GatewayClaims,
    user: UserRecord,
    role: RoleRecord | null,
    session: SessionRecord | null,
    merchant: MerchantRecordCached | null,
    request: PreparedRequest,
    now: number,
    /** The request facts of a route's policyInput as JSON members (request-facts.ts); "" for none. */
    facts = '',
  ): PreparedParts {
    return {
      principal: this.principal(user, role, session, now),
      context: this.context(claims),
      request: this.request(request, merchant, facts),
    };
  }

  /** The prepared value of this JSON: the one made before if it is still known. */
  private shared(cache: LRUCache<string, PreparedValue>, json: string): PreparedValue {
    let v = cache.get(json);
    if (v === undefined) cache.set(json, (v = new PreparedValue(json)));
    return v;
  }

  private principal(user: UserRecord, role: RoleRecord | null, session: SessionRecord | null, now: number): PreparedValue {
    // Without a session record the principal is inactive anyway (a deny); nothing to hang it on.
    if (session === null) return this.shared(this.byJson, JSON.stringify(principalInput(user, role, null, now)));
    const unexpired = session.expiresAt > now;
    const p = this.principals.get(session);
    if (p !== undefined && p.user === user && p.role === role && p.unexpired === unexpired) return p.value;
    const value = this.shared(this.byJson, JSON.stringify(principalInput(user, role, session, now)));
    this.principals.set(session, { user, role, unexpired, value });
    return value;
  }

  private context(claims: GatewayClaims): PreparedValue {
    let c = this.contexts.get(claims);
    if (c === undefined) this.contexts.set(claims, (c = this.shared(this.byJson, JSON.stringify({ type: claims.ctx_type, id: claims.ctx_id }))));
    return c;
  }

  private request(request: PreparedRequest, m: MerchantRecordCached | null, facts: string): PreparedValue | string {
    let merchant = 'null';
    if (m !== null) {
      const known = this.merchantJson.get(m);
      if (known === undefined) this.merchantJson.set(m, (merchant = JSON.stringify(merchantInput(m))));
      else merchant = known;
    }
    // A request with facts (a path with ids, a query) is nearly always one of a kind: sharing it
    // would churn the LRU and fill the arena with values used once, so it goes with the call.
    if (facts !== '') return requestJson(request, merchant, facts);
    return this.shared(this.requests, requestJson(request, merchant));
  }
}
