// Step 4, decide: the policy's answer for this principal, context and
// request. A decision remembered for the same records and request strings
// (policy/decision-memo.ts) is reused; otherwise the Decider answers (the wasm
// in process, or an OPA server). 503 when it cannot decide: never an allow.
import type { Logger } from 'pino';
import type { DecisionResult } from '../../core/policy/types.ts';
import type { GatewayMetrics } from '../ops/metrics.ts';
import type { DecisionMemo, MemoInputs } from '../policy/decision-memo.ts';
import type { Decider, DecisionQuery } from '../policy/decider.ts';
import type { PolicyHolder } from '../policy/policy-holder.ts';
import type { GatewayClaims } from '../tokens/token-verifier.ts';
import type { Principal } from './principal.ts';
import { Refusal } from './refusal.ts';
import type { Target } from './target.ts';

/** The question and its answer. */
export interface Decision extends DecisionQuery {
  result: DecisionResult;
  /** Reused from an identical earlier input rather than evaluated now. */
  fromMemo: boolean;
}

/** Longest request facts (JSON) a memo key may hold. */
const MAX_MEMO_FACTS = 512;

const undecided = new Refusal(503, 'UNAVAILABLE', 'the authorization decision failed; try again');

export interface DecideDeps {
  policy: PolicyHolder;
  decider: Decider;
  /** null when GATEWAY_DECISION_MEMO is off. */
  memo: DecisionMemo | null;
  metrics: GatewayMetrics;
  log: Logger;
}

/** Stands in for the result until the decider answers (never read as a decision). */
const PENDING: DecisionResult = Object.freeze({ allow: false, reasons: [], merchant_id: '', merchant_scope: '', product_scope: '', gateway_ref_scope: '' });

export function decisionMaker({ policy, decider, memo, metrics, log }: DecideDeps) {
  function failed(err: unknown): Refusal {
    log.error({ err }, 'policy evaluation failed');
    return undecided;
  }

  function settle(d: Decision, memoKey: string, result: DecisionResult): Decision {
    d.result = result;
    if (memoKey !== '') memo!.set(memoKey, d.principal as MemoInputs, d.engine, d.now, result);
    metrics.memoMiss.n++;
    return d;
  }

  return function decide(target: Target, claims: GatewayClaims, principal: Principal): Decision | Refusal | Promise<Decision | Refusal> {
    // Read the engine once: a reload swaps it between requests, never during one.
    const engine = policy.engine;
    const now = Date.now();
    // The memo hangs off the session record: without one there is nothing to remember by.
    // The route's locators are inputs too (product_required, gateway_ref_required): two routes of one module may differ.
    // So are the request facts of a route's policyInput (JSON, last: it holds no NUL), so two
    // requests that differ only in method, path, query or a header never share a decision.
    // Facts longer than MAX_MEMO_FACTS (a long query) are decided afresh: a key holds its facts, and 64 keys of a
    // 16 kB URL each per session would let one client grow the gateway's memory by megabytes.
    const memoKey = memo === null || principal.session === null || (principal.facts !== null && principal.facts.json.length > MAX_MEMO_FACTS)
      ? ''
      : principal.facts === null
        ? `${claims.ctx_type}\u0000${claims.ctx_id}\u0000${target.route.module}\u0000${target.action}\u0000${principal.named}\u0000${principal.product}\u0000${principal.gatewayRef}\u0000${target.route.locates}`
        : `${claims.ctx_type}\u0000${claims.ctx_id}\u0000${target.route.module}\u0000${target.action}\u0000${principal.named}\u0000${principal.product}\u0000${principal.gatewayRef}\u0000${target.route.locates}\u0000${principal.facts.json}`;
    const remembered = memoKey === '' ? undefined : memo!.get(memoKey, principal as MemoInputs, engine, now);
    const d: Decision = {
      claims, route: target.route, action: target.action, principal, now, engine,
      result: remembered ?? PENDING, fromMemo: remembered !== undefined,
    };
    if (d.fromMemo) {
      metrics.memoHit.n++;
      return d;
    }
    try {
      const result = decider.decide(d);
      return result instanceof Promise ? result.then((r) => settle(d, memoKey, r), failed) : settle(d, memoKey, result);
    } catch (err) {
      return failed(err);
    }
  };
}
