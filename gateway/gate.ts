// The decision, as an onRequest hook of the proxy route (before any body is
// read): canonical path → route → token → principal → policy. Only an
// explicit allow sets `request.admission`; the proxy handler forwards nothing
// without it. Every failure answers in the error shape: 400/404/405 for the
// request itself, 401 for any token fault, 403 with the policy's reason, 503
// when the records cannot be read or the policy cannot decide.
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../src/http/error-handler.ts';
import { merchantInput, principalInput } from '../src/principal/build.ts';
import type { MerchantRecordCached, RoleRecord, SessionRecord, UserRecord } from '../src/principal/records.ts';
import type { DecisionInput } from '../src/policy/types.ts';
import { DecisionMemo } from './decision-memo.ts';
import { PreparedInputs } from './prepared-input.ts';
import type { GatewayDeps } from './deps.ts';
import { canonicalPath, locate, RouteMatcher, UNREADABLE } from './request-target.ts';
import type { GatewayRoute } from './route-table.ts';
import { bearerToken, type GatewayClaims } from './token-verifier.ts';

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

/** Merchant ids are chosen by their creator from this alphabet; anything else cannot exist (and is not looked up). */
const merchantIdPattern = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_ID_LENGTH = 128;

/** The policy input (DESIGN.md 8, src/policy/types.ts) of one request. */
function decisionInput(
  claims: GatewayClaims,
  route: GatewayRoute,
  action: 'read' | 'write',
  user: UserRecord,
  role: RoleRecord | null,
  session: SessionRecord | null,
  merchant: MerchantRecordCached | null,
  named: string,
  product: string,
  gatewayRef: string,
  now: number,
): DecisionInput {
  return {
    principal: principalInput(user, role, session, now),
    context: { type: claims.ctx_type, id: claims.ctx_id },
    request: {
      module: route.module,
      action,
      merchant: merchantInput(merchant),
      merchant_id: named,
      product_id: product,
      gateway_ref_id: gatewayRef,
      maker_id: '',
    },
  };
}

function refuse(reply: FastifyReply, status: number, code: string, message: string, extra?: Record<string, unknown>): FastifyReply {
  if (status === 401) void reply.header('www-authenticate', 'Bearer');
  return reply.code(status).send(errorBody(status, code, message, extra));
}

export function createGate(deps: GatewayDeps) {
  const matcher = new RouteMatcher(deps.routes);
  const { principals, tokens, metrics, decisions } = deps;
  const memo = deps.config.GATEWAY_DECISION_MEMO ? new DecisionMemo() : null;
  const remote = deps.remoteDecider;
  const prepared = new PreparedInputs();

  return async function gate(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const started = performance.now();
    // Benchmark only (stage-timing.ts): read per request so it can be switched at run time.
    const stages = deps.stages;
    const t0 = stages === null ? 0n : process.hrtime.bigint();
    const url = request.url;
    const q = url.indexOf('?');
    const path = canonicalPath(q < 0 ? url : url.slice(0, q));
    if (path === null) return refuse(reply, 400, 'VALIDATION_FAILED', 'the request path has dot segments or encoded separators');
    const route = matcher.match(path);
    if (route === null) return refuse(reply, 404, 'NOT_FOUND', `no route for ${path}`);
    request.gatewayRoute = route;
    const method = request.method;
    const action = route.readMethods.has(method) ? 'read' : route.writeMethods.has(method) ? 'write' : null;
    if (action === null) return refuse(reply, 405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${route.prefix}`);

    const token = bearerToken(request.headers.authorization);
    if (token === null) return refuse(reply, 401, 'UNAUTHENTICATED', 'a bearer access token is required');
    let claims: GatewayClaims;
    try {
      const verified = tokens.verify(token);
      claims = verified instanceof Promise ? await verified : verified;
    } catch {
      return refuse(reply, 401, 'UNAUTHENTICATED', 'invalid or expired token');
    }
    const t1 = stages === null ? 0n : process.hrtime.bigint();

    const named = locate(route.merchant, request, route, path);
    const product = locate(route.product, request, route, path);
    const gatewayRef = locate(route.gatewayRef, request, route, path);
    if (named === UNREADABLE || product === UNREADABLE || gatewayRef === UNREADABLE
      || named.length > MAX_ID_LENGTH || product.length > MAX_ID_LENGTH || gatewayRef.length > MAX_ID_LENGTH) {
      return refuse(reply, 400, 'VALIDATION_FAILED', 'the merchant, product or gateway reference of the request is ambiguous');
    }
    // In MERCHANT context the merchant is the context's own (a different named one is denied by the policy).
    const effectiveMerchant = claims.ctx_type === 'MERCHANT' ? claims.ctx_id : named;

    let user: UserRecord | null, session: SessionRecord | null, role: RoleRecord | null, merchant: MerchantRecordCached | null;
    try {
      let u = principals.user(claims.sub);
      let s = principals.session(claims.sid);
      let m = effectiveMerchant !== '' && merchantIdPattern.test(effectiveMerchant) ? principals.merchant(effectiveMerchant) : null;
      if (u instanceof Promise || s instanceof Promise || m instanceof Promise) [u, s, m] = await Promise.all([u, s, m]);
      user = u;
      session = s;
      merchant = m;
      // A user that no longer exists, or a token whose tenant is not the user's: not a principal at all.
      if (user === null || user.tenantId !== claims.tid) return refuse(reply, 401, 'UNAUTHENTICATED', 'invalid session');
      const r = principals.role(user.roleId);
      role = r instanceof Promise ? await r : r;
    } catch (err) {
      request.log.error({ err }, 'principal resolution failed');
      return refuse(reply, 503, 'UNAVAILABLE', 'authorization data is unavailable; try again');
    }

    const t2 = stages === null ? 0n : process.hrtime.bigint();
    // Read the engine once: a reload swaps it between requests, never during one.
    const engine = deps.policy.engine;
    const now = Date.now();
    const memoInputs = memo !== null && session !== null ? { session, user, role, merchant, engine } : null;
    const memoKey = memoInputs === null ? '' : `${claims.ctx_type}\u0000${claims.ctx_id}\u0000${route.module}\u0000${action}\u0000${named}\u0000${product}\u0000${gatewayRef}`;
    let result = memoInputs === null ? undefined : memo!.get(memoKey, memoInputs, now);
    // The wasm takes prepared parts; the whole input is built only for an OPA server.
    if (result === undefined) {
      try {
        if (remote === null) {
          const parts = prepared.parts(claims, user, role, session, merchant, {
            module: route.module, action, merchant_id: named, product_id: product, gateway_ref_id: gatewayRef, maker_id: '',
          }, now);
          result = engine.decidePrepared(parts);
        } else {
          const input = decisionInput(claims, route, action, user, role, session, merchant, named, product, gatewayRef, now);
          result = await remote.decide(input);
        }
      } catch (err) {
        request.log.error({ err }, 'policy evaluation failed');
        return refuse(reply, 503, 'UNAVAILABLE', 'the authorization decision failed; try again');
      }
      if (memoInputs !== null) memo!.set(memoKey, memoInputs, now, result);
      metrics.memoMiss.n++;
    } else {
      metrics.memoHit.n++;
    }
    if (stages !== null) stages.record(t0, t1, t2, process.hrtime.bigint());
    const decisionId = randomUUID();
    const latency = performance.now() - started;
    const reasons = Array.isArray(result.reasons) ? result.reasons : [];
    const reason = result.allow ? '' : primaryReason(reasons);
    metrics.decisionSeconds.observe(latency / 1000);
    metrics.countDecision(result.allow, reason);
    // A record of references (event.ts): the event is built and written off the request path.
    if (decisions.wants(result.allow)) {
      decisions.record({
        decisionId, now, revision: engine.revision, method, path, claims, user, role, session, merchant,
        module: route.module, action, merchantId: named, productId: product, gatewayRefId: gatewayRef,
        result, handlerNs: Math.round(latency * 1e6),
      });
    }
    if (!result.allow) {
      return refuse(reply, 403, reason, reasonMessages[reason] ?? 'not allowed', { reasons, decisionId });
    }

    const merchantId = typeof result.merchant_id === 'string' ? result.merchant_id : '';
    request.admission = {
      route,
      path,
      claims,
      decisionId,
      merchantId,
      merchantScope: merchantId === '' && typeof result.merchant_scope === 'string' ? result.merchant_scope : '',
      forwardedAt: 0,
    };
    // Maker-checker (gateway/approval-hook.ts): the write is held for a checker,
    // never forwarded; without a hook such a write is refused, not forwarded.
    if (route.approvalMethods.has(method)) {
      if (deps.approvals === null) return refuse(reply, 503, 'UNAVAILABLE', 'approvals are not available on this gateway');
      if (await deps.approvals(request, reply)) return reply;
    }
    return undefined;
  };
}
