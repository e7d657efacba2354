// One interface for whatever answers the policy question. The wasm engine in
// process (the default, synchronous: no await on the hot path) and an OPA
// server asked over HTTP (opa-http.ts, kept for the benchmark's comparison)
// both implement it; the pipeline's decide step does not know which it has.
import type { PolicyEngine, PreparedRequest } from '../../core/policy/engine.ts';
import type { DecisionInput, DecisionResult } from '../../core/policy/types.ts';
import { merchantInput, principalInput } from '../../core/principal/build.ts';
import type { GatewayRoute } from '../../core/routes/route-table.ts';
import type { Principal } from '../pipeline/principal.ts';
import type { GatewayClaims } from '../tokens/token-verifier.ts';
import { PreparedInputs } from './prepared-input.ts';

/** Everything one request's decision depends on. */
export interface DecisionQuery {
  claims: GatewayClaims;
  route: GatewayRoute;
  action: 'read' | 'write';
  principal: Principal;
  /** ms; the one input that depends on the clock (a session's expiry). */
  now: number;
  /** The bundle in force, read once per request: a reload swaps it between requests, never during one. */
  engine: PolicyEngine;
}

export interface Decider {
  /** A value when the answer is at hand (the wasm), a promise when it is fetched. Throws (or rejects) when it cannot decide. */
  decide(query: DecisionQuery): DecisionResult | Promise<DecisionResult>;
  close(): Promise<void>;
}

/** The request's own fields of the policy input: all of `request` but the merchant record and the policyInput facts. */
function requestFields(q: DecisionQuery): PreparedRequest {
  const p = q.principal;
  return {
    module: q.route.module,
    action: q.action,
    merchant_id: p.named,
    product_id: p.product,
    gateway_ref_id: p.gatewayRef,
    product_required: q.route.product !== undefined,
    gateway_ref_required: q.route.gatewayRef !== undefined,
    maker_id: '',
  };
}

/** The policy input (docs/http.md#policy-input, core/policy/types.ts) of one request, as one object (OPA over HTTP, the shadow). */
export function decisionInput(q: DecisionQuery): DecisionInput {
  const p = q.principal;
  return {
    principal: principalInput(p.user, p.role, p.session, q.now),
    context: { type: q.claims.ctx_type, id: q.claims.ctx_id },
    request: { ...requestFields(q), merchant: merchantInput(p.merchant), ...p.facts?.value },
  };
}

/** The compiled bundle in process, fed prepared parts (prepared-input.ts): no JSON per request on the wasm side. */
export class WasmDecider implements Decider {
  private readonly prepared = new PreparedInputs();

  decide(q: DecisionQuery): DecisionResult {
    const p = q.principal;
    const parts = this.prepared.parts(q.claims, p.user, p.role, p.session, p.merchant, requestFields(q), q.now, p.facts?.json ?? '');
    return q.engine.decidePrepared(parts);
  }

  async close(): Promise<void> {}
}
