// A decision as the gate hands it over (DecisionRecord: references to what it
// already holds, no copying, no JSON) and as the log writes it: one event in
// OPA's decision-log shape (https://www.openpolicyagent.org/docs/management-decision-logs),
//
//   {"decision_id","timestamp","path":"authz/decision","input","result",
//    "bundles":{"authz":{"revision"}},"labels":{"id"},
//    "request":{"method","path"},"metrics":{"timer_server_handler_ns"},"erased"?}
//
// assembled off the request path by concatenating JSON kept per record. The
// records (user, role, session, merchant, verified claims) are replaced, never
// mutated, when they change (principal-cache.ts), so serialising them a few
// milliseconds later writes what the policy saw; the principal also depends
// on the clock (an expired session is not active), which is why the record
// carries the decision's `now`. The input never holds the token or any secret:
// only ids, statuses, the role's ACL and merchant access.
import { requestJson } from '../../core/policy/engine.ts';
import type { DecisionResult } from '../../core/policy/types.ts';
import { merchantInput, principalInput } from '../../core/principal/build.ts';
import type { MerchantRecordCached, RoleRecord, SessionRecord, UserRecord } from '../../core/principal/records.ts';
import type { GatewayClaims } from '../tokens/token-verifier.ts';
import { maskedJson, type MaskRule } from './masking.ts';

export interface DecisionRecord {
  decisionId: string;
  /** Date.now() of the decision: the event's timestamp and the clock the principal was judged by. */
  now: number;
  revision: string;
  method: string;
  /** Canonical path (without the query string). */
  path: string;
  claims: GatewayClaims;
  user: UserRecord;
  role: RoleRecord | null;
  session: SessionRecord | null;
  merchant: MerchantRecordCached | null;
  module: string;
  action: 'read' | 'write';
  merchantId: string;
  productId: string;
  gatewayRefId: string;
  /** Whether the route locates a product / gateway reference (decision inputs). */
  productRequired: boolean;
  gatewayRefRequired: boolean;
  /** The request facts of a route's policyInput as JSON members (gateway/pipeline/request-facts.ts); "" for none. */
  facts: string;
  result: DecisionResult;
  /** The gate's time for token, principal and policy, in ns. */
  handlerNs: number;
  /** A shadow bundle's disagreement (gateway/policy/shadow.ts): the decision it shadows and its own answer, never enforced. */
  shadow?: { decisionId: string; revision: string; result: DecisionResult };
}

interface PrincipalJson {
  user: UserRecord;
  role: RoleRecord | null;
  unexpired: boolean;
  json: string;
}

const str = (s: string) => JSON.stringify(s);

/** Mask paths below one part of the event (`principal` of the input, or the result itself). */
function below(rules: readonly MaskRule[], root: 'input' | 'result', part?: string): string[][] {
  return rules
    .filter((r) => r.root === root && (part === undefined ? true : r.path[0] === part && r.path.length > 1))
    .map((r) => (part === undefined ? r.path : r.path.slice(1)));
}

/**
 * Turns records into event JSON. Each part is serialised (and masked) once
 * per record object and kept in a WeakMap that dies with the record, so an
 * event costs a few concatenations and its timestamp.
 */
export class EventAssembler {
  private readonly principals = new WeakMap<SessionRecord, PrincipalJson>();
  private readonly contexts = new WeakMap<GatewayClaims, string>();
  private readonly merchants = new WeakMap<MerchantRecordCached, string>();
  private readonly results = new WeakMap<DecisionResult, string>();
  private revision = '';
  private stampedAt = NaN;
  private stamp = '';
  private revisionJson = '""';
  private readonly labels: string;
  private readonly erased: string;
  private readonly principalMask: string[][];
  private readonly contextMask: string[][];
  private readonly requestMask: string[][];
  private readonly resultMask: string[][];
  /** Whole parts erased: `principal`, `context`, `request`, all of `input` (''), or the result. */
  private readonly dropped: Set<string>;

  constructor(instanceId: string, rules: readonly MaskRule[] = []) {
    this.labels = `{"id":${str(instanceId)}}`;
    this.erased = rules.length === 0 ? '' : `,"erased":${JSON.stringify(rules.map((r) => r.pointer))}`;
    this.principalMask = below(rules, 'input', 'principal');
    this.contextMask = below(rules, 'input', 'context');
    this.requestMask = below(rules, 'input', 'request');
    this.resultMask = below(rules, 'result');
    this.dropped = new Set(rules.filter((r) => (r.root === 'input' && r.path.length <= 1) || (r.root === 'result' && r.path.length === 0))
      .map((r) => (r.root === 'result' ? 'result' : r.path[0] ?? '')));
  }

  event(r: DecisionRecord): string {
    if (r.revision !== this.revision) this.revisionJson = str((this.revision = r.revision));
    const input = this.dropped.has('') ? '' : `,"input":${this.input(r)}`;
    const result = this.dropped.has('result') ? '' : `,"result":${this.result(r.result)}`;
    return `{"decision_id":"${r.decisionId}","timestamp":"${this.timestamp(r.now)}","path":"authz/decision"${input}${result}` +
      `,"bundles":{"authz":{"revision":${this.revisionJson}}},"labels":${this.labels}` +
      `,"request":{"method":${str(r.method)},"path":${str(r.path)}},"metrics":{"timer_server_handler_ns":${r.handlerNs}}${this.erased}` +
      `${r.shadow === undefined ? '' : this.shadow(r.shadow)}}`;
  }

  /** RFC 3339 of a ms clock; the events of one millisecond (a dozen at full load) share one. */
  private timestamp(now: number): string {
    if (now !== this.stampedAt) this.stamp = new Date((this.stampedAt = now)).toISOString();
    return this.stamp;
  }

  private shadow(s: NonNullable<DecisionRecord['shadow']>): string {
    const result = this.dropped.has('result') ? '' : `,"result":${this.result(s.result)}`;
    return `,"shadow":{"decision_id":${str(s.decisionId)},"bundles":{"authz":{"revision":${str(s.revision)}}}${result}}`;
  }

  private input(r: DecisionRecord): string {
    // Concatenated, not joined: join would copy the ~1 KB principal into a new flat string per event.
    if (this.dropped.size === 0) return `{"principal":${this.principal(r)},"context":${this.context(r.claims)},"request":${this.request(r)}}`;
    const members: string[] = [];
    if (!this.dropped.has('principal')) members.push(`"principal":${this.principal(r)}`);
    if (!this.dropped.has('context')) members.push(`"context":${this.context(r.claims)}`);
    if (!this.dropped.has('request')) members.push(`"request":${this.request(r)}`);
    return `{${members.join(',')}}`;
  }

  private principal(r: DecisionRecord): string {
    const { user, role, session, now } = r;
    if (session === null) return maskedJson(principalInput(user, role, null, now), this.principalMask);
    const unexpired = session.expiresAt > now;
    const p = this.principals.get(session);
    if (p !== undefined && p.user === user && p.role === role && p.unexpired === unexpired) return p.json;
    const json = maskedJson(principalInput(user, role, session, now), this.principalMask);
    this.principals.set(session, { user, role, unexpired, json });
    return json;
  }

  private context(claims: GatewayClaims): string {
    let c = this.contexts.get(claims);
    if (c === undefined) this.contexts.set(claims, (c = maskedJson({ type: claims.ctx_type, id: claims.ctx_id }, this.contextMask)));
    return c;
  }

  private request(r: DecisionRecord): string {
    let merchant = 'null';
    if (r.merchant !== null) {
      const known = this.merchants.get(r.merchant);
      if (known === undefined) this.merchants.set(r.merchant, (merchant = JSON.stringify(merchantInput(r.merchant))));
      else merchant = known;
    }
    const json = requestJson({
      module: r.module, action: r.action, merchant_id: r.merchantId, product_id: r.productId, gateway_ref_id: r.gatewayRefId,
      product_required: r.productRequired, gateway_ref_required: r.gatewayRefRequired, maker_id: '',
    }, merchant, r.facts);
    return this.requestMask.length === 0 ? json : maskedJson(JSON.parse(json), this.requestMask);
  }

  private result(result: DecisionResult): string {
    let j = this.results.get(result);
    if (j === undefined) this.results.set(result, (j = maskedJson(result, this.resultMask)));
    return j;
  }
}
