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

/** What the decision added: its id and the merchant (or merchant scope) the upstream serves. */
export interface Decided {
  decisionId: string;
  /** The merchant the request acts on ("" when it names none). */
  merchantId: string;
  /** When no merchant is named: what the upstream may serve (`*`, `reseller:<id>` or ids; "" for none). */
  merchantScope: string;
}

/** Client-sent headers a forwarded request never carries: only the gateway speaks for the caller. */
export function isIdentityHeader(name: string): boolean {
  return name.startsWith('x-auth-');
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
}
