// Step 5, admit: count and log the decision, then either the policy's 403
// with the reason a caller can act on first, or the admission the proxy
// forwards by. Only an explicit allow makes an admission.
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { GatewayRoute } from '../../core/routes/route-table.ts';
import type { GatewayMetrics } from '../ops/metrics.ts';
import type { DecisionLog } from '../decision-log/queue.ts';
import type { ShadowPolicy } from '../policy/shadow.ts';
import type { GatewayClaims } from '../tokens/token-verifier.ts';
import type { Decision } from './decide.ts';
import { Refusal } from './refusal.ts';
import type { Target } from './target.ts';

/** What an allowed request carries to the proxy step. */
export interface Admission {
  route: GatewayRoute;
  /** Canonical path, forwarded as is (the query string is forwarded untouched). */
  path: string;
  claims: GatewayClaims;
  decisionId: string;
  /** The merchant the request acts on ("" when it names none). */
  merchantId: string;
  /** When no merchant is named: what the upstream may serve (`*`, `reseller:<id>` or ids; "" for none). */
  merchantScope: string;
  /** Products and gateway references the caller is restricted to: `*` (none) or comma-separated ids. */
  productScope: string;
  gatewayRefScope: string;
  forwardedAt: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the gate on an explicit allow, and only then. */
    admission: Admission | null;
    /** The matched route, for metrics (set before the decision). */
    gatewayRoute: GatewayRoute | null;
  }
}

/** When the policy gives several reasons, the one a caller can act on first. */
const reasonOrder = [
  'SESSION_REVOKED',
  'USER_DISABLED',
  'ROLE_DISABLED',
  'INVALID_INPUT',
  'CONTEXT_FORBIDDEN',
  'INSUFFICIENT_PERMISSION',
  'MERCHANT_ACCESS_DENIED',
  'PRODUCT_RESTRICTED',
  'GATEWAY_RESTRICTED',
  'SOD_VIOLATION',
];

const reasonMessages: Record<string, string> = {
  SESSION_REVOKED: 'the session has ended',
  USER_DISABLED: 'the user is not active',
  ROLE_DISABLED: 'the role is disabled',
  INVALID_INPUT: 'the request could not be decided',
  CONTEXT_FORBIDDEN: 'the current context is no longer permitted; switch context',
  INSUFFICIENT_PERMISSION: 'the role does not grant this action on this module',
  MERCHANT_ACCESS_DENIED: 'no access to this merchant',
  PRODUCT_RESTRICTED: 'the user is restricted to other products',
  GATEWAY_RESTRICTED: 'the user is restricted to other gateways',
  SOD_VIOLATION: 'separation of duties',
};

const upperSnake = /^[A-Z][A-Z0-9_]{0,63}$/;

export function primaryReason(reasons: readonly string[]): string {
  for (const r of reasonOrder) if (reasons.includes(r)) return r;
  return reasons.find((r) => upperSnake.test(r)) ?? 'FORBIDDEN';
}

export function admitter(metrics: GatewayMetrics, decisions: DecisionLog, shadow: ShadowPolicy | null = null) {
  /** `started`: performance.now() when the request entered the pipeline. */
  return function admit(request: FastifyRequest, target: Target, d: Decision, started: number): Admission | Refusal {
    const result = d.result;
    const decisionId = randomUUID();
    const latency = performance.now() - started;
    const reasons = Array.isArray(result.reasons) ? result.reasons : [];
    const reason = result.allow ? '' : primaryReason(reasons);
    metrics.decisionSeconds.observe(latency / 1000);
    metrics.countDecision(result.allow, reason);
    // A record of references (decision-log/event.ts): the event is built and written off the request path.
    if (decisions.wants(result.allow)) {
      const p = d.principal;
      decisions.record({
        decisionId, now: d.now, revision: d.engine.revision, method: request.method, path: target.path,
        claims: d.claims, user: p.user, role: p.role, session: p.session, merchant: p.merchant,
        module: d.route.module, action: d.action, merchantId: p.named, productId: p.product, gatewayRefId: p.gatewayRef,
        productRequired: d.route.product !== undefined, gatewayRefRequired: d.route.gatewayRef !== undefined,
        facts: p.facts?.json ?? '', result, handlerNs: Math.round(latency * 1e6),
      });
    }
    // A shadow bundle's look at the same decision, later and off this path (policy/shadow.ts).
    shadow?.offer(d, request.method, target.path, decisionId);
    if (!result.allow) return new Refusal(403, reason, reasonMessages[reason] ?? 'not allowed', { reasons, decisionId });

    const merchantId = typeof result.merchant_id === 'string' ? result.merchant_id : '';
    return {
      route: target.route,
      path: target.path,
      claims: d.claims,
      decisionId,
      merchantId,
      merchantScope: merchantId === '' && typeof result.merchant_scope === 'string' ? result.merchant_scope : '',
      // Fail closed: a result without the scopes tells the upstream "nothing", never "everything".
      productScope: typeof result.product_scope === 'string' ? result.product_scope : '',
      gatewayRefScope: typeof result.gateway_ref_scope === 'string' ? result.gateway_ref_scope : '',
      forwardedAt: 0,
    };
  };
}
