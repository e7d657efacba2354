// What crosses the gateway in each direction besides the body.
// Upstream: the client's headers minus every `x-auth-*` (only the gateway
// speaks for the caller; also spelled `x_auth_*` or in any case, which
// CGI-style upstreams fold into the same variable), `authorization` (an
// upstream never needs the bearer token, and one that never sees it cannot
// leak or replay it), the hop-by-hop fields and any the client's
// `Connection` names (RFC 9110 §7.6.1: they describe the client's connection,
// and a client could otherwise name the gateway's own headers to strip them),
// and the routing headers an upstream might honour over the request line the
// gateway decided on (`X-Original-URL`, `X-HTTP-Method-Override`, `Forwarded`,
// …; route-table.ts `routingHeaders`) unless the route forwards one; plus the
// identity headers. `X-Forwarded-For`/`-Host`/`-Proto` say what the gateway
// saw, replacing whatever the client sent, and `Host` names the upstream.
// Client: the upstream's response headers minus its hop-by-hop ones.
import type { FastifyRequest } from 'fastify';
import { isIdentityHeader, setIdentityHeaders } from '../../core/identity/headers.ts';
import { normalisedHeaderName, routingHeaders } from '../../core/routes/route-table.ts';
import type { Admission } from '../pipeline/admit.ts';

export type OutgoingHeaders = Record<string, string | string[]>;

/** RFC 9110 §7.6.1: fields that describe one connection, not the message. */
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

/**
 * `Expect: 100-continue` is between the client and the gateway: Node answers
 * it (100 Continue) before the gate runs, and undici refuses to send it.
 */
const answeredByGateway = 'expect';

/** The gateway sets these itself; a client's, in any spelling, never passes. */
const replacedByGateway = new Set(['host', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto']);

/** The lower-case field names a `Connection` value lists, or null for the usual `keep-alive`/`close` (which name none). */
function connectionNamed(connection: string | string[] | undefined): string[] | null {
  if (connection === undefined || connection === 'keep-alive' || connection === 'close') return null;
  const value = Array.isArray(connection) ? connection.join(',') : connection;
  return value.toLowerCase().split(',').map((h) => h.trim()).filter((h) => h !== '');
}

/**
 * A new header object for the upstream request (the client's is left as it
 * was): built once, with only what is forwarded, so undici walks no removed
 * entries.
 */
export function upstreamRequestHeaders(request: FastifyRequest, admission: Admission, upstreamHost: string): OutgoingHeaders {
  const incoming = request.headers;
  const allowedRouting = admission.route.forwardedRoutingHeaders;
  const named = connectionNamed(incoming.connection);
  const out: OutgoingHeaders = { host: upstreamHost };
  // for…in, not Object.keys: no array per request.
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || hopByHop.has(name) || replacedByGateway.has(name) || name === 'authorization' || name === answeredByGateway) continue;
    if (named !== null && named.includes(name)) continue;
    const n = normalisedHeaderName(name);
    if (isIdentityHeader(n) || replacedByGateway.has(n) || n === 'authorization' || (routingHeaders.has(n) && !allowedRouting.has(n))) continue;
    out[name] = value;
  }
  setIdentityHeaders(out, admission.claims, admission);
  out['x-forwarded-for'] = request.ip;
  if (incoming.host !== undefined) out['x-forwarded-host'] = incoming.host;
  out['x-forwarded-proto'] = request.protocol;
  return out;
}

/**
 * The upstream's response headers minus its hop-by-hop ones: its
 * `connection: keep-alive` (about the gateway's pooled connection) would
 * otherwise override a client's `Connection: close` and hold the client's
 * socket open, and its `transfer-encoding` describes a framing Node redoes.
 */
export function responseHeaders(headers: Record<string, string | string[] | undefined>): OutgoingHeaders {
  const named = connectionNamed(headers['connection']);
  const out: OutgoingHeaders = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || hopByHop.has(name) || (named !== null && named.includes(name))) continue;
    out[name] = value;
  }
  return out;
}
