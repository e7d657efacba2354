// Forwarding an admitted request: undici's `stream()` over a keep-alive pool
// per upstream (upstreams.ts), writing the upstream's answer straight into
// the client's response. The upstream sees the canonical path, the client's
// query as sent, the headers of headers.ts and the body as it streams in.
// Upstream timeouts answer 504, every other failure before the answer 502,
// in the error shape; nothing is retried (a retried write could run twice).
// A failure after the answer began cuts the client's connection; a client
// that goes away while the answer streams aborts the upstream request (one
// that leaves before the answer begins is noticed when it does, or when the
// upstream timeout ends the request).
//
// Why not @fastify/reply-from (used until 2026-11-30): it reads the answer
// into a Readable that Fastify then pipes into the response, builds two URLs
// and a retry wrapper per request; writing into the response directly is
// ~8 µs of CPU cheaper per request (bench/RESULTS.md, "Hot path"), most of
// the gateway's overhead over a bare proxy. What it did that matters here is
// done here and tested (test/gateway/forwarding.test.ts, decisions.test.ts,
// test/security/).
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import type { Readable } from 'node:stream';
import { errorBody } from '../../core/http/error-handler.ts';
import type { GatewayRoute } from '../../core/routes/route-table.ts';
import type { GatewayDeps } from '../deps.ts';
import { BodyTooLarge } from './body-limit.ts';
import { responseHeaders, upstreamRequestHeaders } from './headers.ts';
import { Upstreams } from './upstreams.ts';

function causedBy(error: unknown, type: new (...args: never[]) => Error): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof type) return true;
  }
  return false;
}

const timeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

function upstreamFailure(error: Error & { code?: string; cause?: unknown }): 502 | 504 {
  const cause = (error.cause ?? {}) as { code?: string };
  return timeoutCodes.has(error.code ?? '') || timeoutCodes.has(cause.code ?? '') ? 504 : 502;
}

/** Methods whose body Fastify does not parse, and the gateway does not forward (undici then sends no Content-Length). */
const bodyless = new Set(['GET', 'HEAD']);

export async function registerProxy(app: FastifyInstance, deps: GatewayDeps): Promise<RouteHandlerMethod> {
  const upstreams = new Upstreams(deps.routes, deps.config.GATEWAY_UPSTREAM_TIMEOUT_MS);
  app.addHook('onClose', () => upstreams.close());
  const { metrics } = deps;
  /** Per route, what a request needs: its upstream and its latency series (one lookup per request). */
  const targets = new Map(deps.routes.map((route) => [route, { upstream: upstreams.of(route), latency: metrics.upstreamSeconds.labels(route.module) }]));

  function failed(request: FastifyRequest, reply: FastifyReply, route: GatewayRoute, error: Error): void {
    // The client's chunked body crossed GATEWAY_BODY_LIMIT_BYTES mid-stream: the
    // upstream request was aborted, and the client hears why.
    if (causedBy(error, BodyTooLarge)) {
      if (!reply.sent) void reply.code(413).send(errorBody(413, 'PAYLOAD_TOO_LARGE', 'the request body is too large'));
      return;
    }
    const began = reply.raw.headersSent;
    // After the answer began, the response was either destroyed by undici with
    // the upstream's error (kept as `errored`), or closed by a client that
    // left, which is nobody's failure.
    const cause = began ? reply.raw.errored : error;
    if (!cause) return;
    const status = upstreamFailure(cause);
    metrics.upstreamErrors.labels(route.module, String(status)).inc();
    request.log.warn({ upstream: route.upstream, err: cause.message, status, midAnswer: began }, 'upstream failed');
    // The answer had begun: the client's connection is already cut.
    if (began) return;
    void reply
      .code(status)
      .send(
        status === 504
          ? errorBody(504, 'UPSTREAM_TIMEOUT', 'the upstream service did not answer in time')
          : errorBody(502, 'UPSTREAM_UNAVAILABLE', 'the upstream service is unreachable or failed'),
      );
  }

  // Returns nothing: a synchronous handler's return value would be sent as the body.
  return function forward(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply): void {
    const admission = request.admission;
    // Defence in depth: the gate sets an admission only on an explicit allow.
    if (admission === null) {
      void reply.code(403).send(errorBody(403, 'FORBIDDEN', 'not allowed'));
      return;
    }
    const route = admission.route;
    const { upstream, latency } = targets.get(route)!;
    const url = request.raw.url!;
    const q = url.indexOf('?');
    const body = bodyless.has(request.method) ? null : ((request.body as Readable | undefined) ?? null);
    admission.forwardedAt = performance.now();
    upstream.pool.stream(
      {
        path: q < 0 ? admission.path : admission.path + url.slice(q),
        method: request.method,
        headers: upstreamRequestHeaders(request, admission, upstream.host),
        body,
      },
      ({ statusCode, headers }) => {
        latency.observe((performance.now() - admission.forwardedAt) / 1000);
        const out = responseHeaders(headers);
        // The upstream answered before the client's body was read to the end:
        // this connection cannot carry another request.
        if (!request.raw.complete) out['connection'] = 'close';
        // From here the response is written by hand, not by Fastify (its
        // onResponse hook still runs when the response finishes).
        reply.hijack();
        reply.raw.writeHead(statusCode, out);
        return reply.raw;
      },
      (error) => {
        if (error !== null) failed(request, reply, route, error);
      },
    );
  };
}
