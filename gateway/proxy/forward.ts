// Forwarding an admitted request with @fastify/reply-from over undici's
// keep-alive pool. The upstream sees the canonical path, the client's query
// and headers minus any `x-auth-*` and the bearer token, plus the identity
// headers the decision produced. Upstream timeouts answer 504, every other
// upstream failure 502, in the error shape; nothing is retried (a retried
// write could run twice).
import replyFrom, { type FastifyReplyFromHooks } from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import { errorBody } from '../../core/http/error-handler.ts';
import { isIdentityHeader, setIdentityHeaders } from '../../core/identity/headers.ts';
import { BodyTooLarge } from './body-limit.ts';
import type { GatewayDeps } from '../deps.ts';
import { normalisedHeaderName, routingHeaders, type GatewayRoute } from '../../core/routes/route-table.ts';

type OutgoingHeaders = Record<string, string | string[] | number | undefined>;

/**
 * Client headers minus every `x-auth-*` (only the gateway speaks for the
 * caller; also spelled `x_auth_*` or in any case, which CGI-style upstreams
 * fold into the same variable), `authorization` (an upstream never needs the
 * bearer token, and one that never sees it cannot leak or replay it) and the
 * routing headers an upstream might honour over the request line the gateway
 * decided on (`X-Original-URL`, `X-HTTP-Method-Override`, `Forwarded`, …;
 * route-table.ts `routingHeaders`) unless the route forwards one, plus the
 * identity headers. `X-Forwarded-For`/`-Host`/`-Proto` say what the gateway
 * saw, replacing whatever the client sent.
 */
export function identityHeaders(request: FastifyRequest, headers: OutgoingHeaders): OutgoingHeaders {
  const a = request.admission!;
  const allowed = a.route.forwardedRoutingHeaders;
  // for…in, not Object.keys: no array per request. A removed header is set to
  // undefined, which undici skips, rather than deleted: `delete` turns the
  // object into a dictionary, and every later copy and read of it (reply-from
  // copies it, undici walks it) gets slower (the profile showed it).
  for (const name in headers) {
    const n = normalisedHeaderName(name);
    if (isIdentityHeader(n) || n === 'authorization' || (routingHeaders.has(n) && !allowed.has(n))) headers[name] = undefined;
    // Only the gateway's own spelling of these may remain (set below).
    else if (n !== name && (n === 'x-forwarded-for' || n === 'x-forwarded-host' || n === 'x-forwarded-proto')) headers[name] = undefined;
  }
  setIdentityHeaders(headers, a.claims, a);
  headers['x-forwarded-for'] = request.ip;
  headers['x-forwarded-host'] = request.headers.host;
  headers['x-forwarded-proto'] = request.protocol;
  return headers;
}

function causedBy(error: unknown, type: new (...args: never[]) => Error): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof type) return true;
  }
  return false;
}

/** RFC 9110 §7.6.1: fields that describe one connection, not the message. */
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

/**
 * The upstream's response headers minus its hop-by-hop ones: its
 * `connection: keep-alive` (about the gateway's pooled connection) would
 * otherwise override a client's `Connection: close` and hold the client's
 * socket open.
 */
export function responseHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  // `connection: keep-alive` (every Node upstream sends it) or `close` names no other field:
  // no list to build per response.
  const connection = headers['connection'];
  const named = typeof connection === 'string' && connection !== 'keep-alive' && connection !== 'close'
    ? connection.toLowerCase().split(',').map((h) => h.trim())
    : null;
  const out: Record<string, unknown> = {};
  for (const name in headers) {
    const lower = name.toLowerCase();
    if (!hopByHop.has(lower) && (named === null || !named.includes(lower))) out[name] = headers[name];
  }
  return out;
}

const timeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

function upstreamFailure(error: Error & { statusCode?: number; code?: string; cause?: unknown }): 502 | 504 {
  const cause = (error.cause ?? {}) as { code?: string };
  const timedOut = error.statusCode === 504 || timeoutCodes.has(cause.code ?? '') || timeoutCodes.has(error.code ?? '');
  return timedOut ? 504 : 502;
}

export async function registerProxy(app: FastifyInstance, deps: GatewayDeps): Promise<RouteHandlerMethod> {
  const timeout = deps.config.GATEWAY_UPSTREAM_TIMEOUT_MS;
  await app.register(replyFrom, {
    undici: {
      connections: 128,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      connectTimeout: Math.min(timeout, 5000),
      // reply-from turns certificate checks off (its `tls` default); `connect` wins over it.
      connect: { rejectUnauthorized: true },
    },
    disableRequestLogging: true,
    // reply-from can keep the upstream URLs it built in an LRU keyed by
    // JSON.stringify([upstream, path]). Real paths carry ids, so it mostly
    // misses: with the benchmark's realistic mix (4,000 distinct paths) every
    // request paid a key, a miss, an eviction and an insert (~1 µs, the CPU
    // profile in bench/RESULTS.md) on top of building the URL anyway.
    disableCache: true,
  });

  const { metrics } = deps;
  const noRetry = () => null;
  const options = new Map<GatewayRoute, FastifyReplyFromHooks>();
  for (const route of deps.routes) {
    const upstreamSeconds = metrics.upstreamSeconds.labels(route.module);
    options.set(route, {
      getUpstream: () => route.upstream,
      rewriteRequestHeaders: identityHeaders as NonNullable<FastifyReplyFromHooks['rewriteRequestHeaders']>,
      rewriteHeaders: responseHeaders as NonNullable<FastifyReplyFromHooks['rewriteHeaders']>,
      retryDelay: noRetry,
      onResponse: (request, reply, res) => {
        upstreamSeconds.observe((performance.now() - request.admission!.forwardedAt) / 1000);
        void reply.send(res.stream);
      },
      onError: (reply, { error }) => {
        // The client's chunked body crossed GATEWAY_BODY_LIMIT_BYTES mid-stream: the
        // upstream request was aborted, and the client hears why.
        if (causedBy(error, BodyTooLarge)) {
          void reply.code(413).send(errorBody(413, 'PAYLOAD_TOO_LARGE', 'the request body is too large'));
          return;
        }
        const status = upstreamFailure(error);
        metrics.upstreamErrors.labels(route.module, String(status)).inc();
        reply.log.warn({ upstream: route.upstream, err: error.message, status }, 'upstream failed');
        void reply
          .code(status)
          .send(
            status === 504
              ? errorBody(504, 'UPSTREAM_TIMEOUT', 'the upstream service did not answer in time')
              : errorBody(502, 'UPSTREAM_UNAVAILABLE', 'the upstream service is unreachable or failed'),
          );
      },
    });
  }

  return function forward(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply) {
    const admission = request.admission;
    // Defence in depth: the gate sets an admission only on an explicit allow.
    if (admission === null) return reply.code(403).send(errorBody(403, 'FORBIDDEN', 'not allowed'));
    admission.forwardedAt = performance.now();
    return reply.from(admission.path, options.get(admission.route));
  };
}
