// The identity headers an upstream trusts (docs/http.md#identity-headers):
// only a gateway decision sets them, for a request it forwards now
// (gateway/proxy/forward.ts) or one a checker approved later
// (core/approvals/forward.ts). One builder, so both speak the same names.

/** Who is calling, as the access token says (its claims' names). */
export interface Caller {
  sub: string;
  tid: string;
  ctx_type: string;
  ctx_id: string;
}

/** What the decision added: its id, the merchant (or merchant scope) the upstream serves, and the caller's restrictions. */
export interface Decided {
  decisionId: string;
  /** The merchant the request acts on ("" when it names none). */
  merchantId: string;
  /** When no merchant is named: what the upstream may serve (`*`, `reseller:<id>` or ids; "" for none). */
  merchantScope: string;
  /** Products and gateway references the caller is restricted to: `*` (none) or comma-separated ids ("" when unknown: nothing). */
  productScope: string;
  gatewayRefScope: string;
}

/**
 * Client-sent headers a forwarded request never carries: only the gateway
 * speaks for the caller. `name` is normalised (core/routes/route-table.ts
 * `normalisedHeaderName`), so `x_auth_user_id`, which CGI-style upstreams fold
 * into the same variable, counts too.
 */
export function isIdentityHeader(normalisedName: string): boolean {
  return normalisedName.startsWith('x-auth-');
}

/** Sets the identity headers on `headers` (mutated: no copy on the proxy's hot path). */
export function setIdentityHeaders(headers: Record<string, unknown>, caller: Caller, decided: Decided): void {
  headers['x-auth-user-id'] = caller.sub;
  headers['x-auth-tenant-id'] = caller.tid;
  headers['x-auth-context-type'] = caller.ctx_type;
  headers['x-auth-context-id'] = caller.ctx_id;
  headers['x-auth-decision-id'] = decided.decisionId;
  if (decided.merchantId !== '') headers['x-auth-merchant-id'] = decided.merchantId;
  else headers['x-auth-merchant-scope'] = decided.merchantScope;
  headers['x-auth-product-scope'] = decided.productScope;
  headers['x-auth-gateway-scope'] = decided.gatewayRefScope;
}
