// Decisions remembered for identical policy inputs. The compiled policy is a
// pure function of its input (the wasm capabilities offer no clock and no
// I/O), and every part of the input is either a string of the request or a
// cached record object that is replaced — never mutated — when the record
// changes, is evicted or is reloaded. So a decision can be reused while the
// same engine sees the same record objects and the same request strings; a
// published change, a flush or a policy swap yields new objects and the next
// request is evaluated afresh. The memo hangs off the session record, so it
// dies with it, and is bounded per session.
//
// A policy that used `rand.intn` would not be pure: turn the memo off
// (GATEWAY_DECISION_MEMO=false) for such a bundle.
import type { PolicyEngine } from '../../core/policy/engine.ts';
import type { DecisionResult } from '../../core/policy/types.ts';
import type { MerchantRecordCached, RoleRecord, SessionRecord, UserRecord } from '../../core/principal/records.ts';

interface Memo {
  user: UserRecord;
  role: RoleRecord | null;
  merchant: MerchantRecordCached | null;
  /** Whether the session was unexpired at evaluation (the one input that depends on the clock). */
  unexpired: boolean;
  engine: PolicyEngine;
  result: DecisionResult;
}

/** The records of a decision (a pipeline Principal with a session record). */
export interface MemoInputs {
  session: SessionRecord;
  user: UserRecord;
  role: RoleRecord | null;
  merchant: MerchantRecordCached | null;
}

export class DecisionMemo {
  private readonly bySession = new WeakMap<SessionRecord, Map<string, Memo>>();

  constructor(private readonly maxPerSession = 64) {}

  /**
   * `key` holds the request strings of the input (context, module, action,
   * named ids, route locators and, for a route with policyInput, the request
   * facts' JSON: method, path, query, headers).
   */
  get(key: string, i: MemoInputs, engine: PolicyEngine, now: number): DecisionResult | undefined {
    const m = this.bySession.get(i.session)?.get(key);
    if (m === undefined) return undefined;
    if (m.user !== i.user || m.role !== i.role || m.merchant !== i.merchant || m.engine !== engine) return undefined;
    if (m.unexpired !== i.session.expiresAt > now) return undefined;
    return m.result;
  }

  set(key: string, i: MemoInputs, engine: PolicyEngine, now: number, result: DecisionResult): void {
    let memos = this.bySession.get(i.session);
    if (memos === undefined) this.bySession.set(i.session, (memos = new Map()));
    else if (memos.size >= this.maxPerSession) memos.clear();
    memos.set(key, { user: i.user, role: i.role, merchant: i.merchant, unexpired: i.session.expiresAt > now, engine, result });
  }
}
