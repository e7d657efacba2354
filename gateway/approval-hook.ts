// The gateway's half of maker-checker (DESIGN.md 7): a maker's write on one
// of a route's `approval` methods, already allowed by the policy, is stored
// as an approval request and answered 202 {approvalId} instead of being
// forwarded. What is stored is what the upstream needs to replay it and a
// checker needs to judge it: method, canonical path, raw query, content
// type, the route's locator headers plus accept and idempotency-key, and the
// body (bounded). Never the authorization header, cookies or x-auth-*.
import type { IncomingMessage } from 'node:http';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyReply } from 'fastify';
import type { StoredGatewayRequest } from '../src/approvals/stored-request.ts';
import { createApproval } from '../src/approvals/store.ts';
import { pendingView } from '../src/approvals/view.ts';
import type { Config } from '../src/config/env.ts';
import { errorBody } from '../src/http/error-handler.ts';
import { encodeBody } from './approval-forward.ts';
import type { ApprovalHook } from './deps.ts';
import { locate } from './request-target.ts';
import type { GatewayRoute } from './route-table.ts';

/** Headers replayed besides the route's locator headers: neither is a credential. */
const keptHeaders = ['accept', 'idempotency-key'];

/** The whole body, or null once it grows past `max` bytes (reading stops there). */
async function readBody(raw: IncomingMessage, max: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of raw as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function storedHeaders(route: GatewayRoute, headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};
  const names = [route.merchant, route.product, route.gatewayRef].flatMap((l) => (l?.from === 'header' ? [l.name] : []));
  for (const name of [...names, ...keptHeaders]) {
    const v = headers[name];
    if (typeof v === 'string') kept[name] = v;
  }
  return kept;
}

function tooLarge(reply: FastifyReply, max: number): void {
  void reply
    .code(413)
    .header('connection', 'close')
    .send(errorBody(413, 'PAYLOAD_TOO_LARGE', `a request held for approval may carry at most ${max} bytes`));
}

export function createApprovalHook(deps: { orm: MikroORM; config: Config }): ApprovalHook {
  const max = deps.config.APPROVAL_MAX_BODY_BYTES;
  const ttlHours = deps.config.APPROVAL_TTL_HOURS;

  return async function holdForApproval(request, reply) {
    const admission = request.admission!;
    const { route, claims } = admission;
    const declared = request.headers['content-length'];
    if (declared !== undefined && !(Number(declared) <= max)) return (tooLarge(reply, max), true);
    const body = await readBody(request.raw, max);
    if (body === null) return (tooLarge(reply, max), true);

    const q = request.url.indexOf('?');
    const product = locate(route.product, request, route, admission.path);
    const gatewayRef = locate(route.gatewayRef, request, route, admission.path);
    const contentType = request.headers['content-type'];
    const stored: StoredGatewayRequest = {
      method: request.method,
      path: admission.path,
      query: q < 0 ? '' : request.url.slice(q + 1),
      contentType: typeof contentType === 'string' ? contentType : null,
      headers: storedHeaders(route, request.headers),
      ...encodeBody(body),
      bodyBytes: body.length,
      route: route.prefix,
      // The gate refused unreadable locators before this point.
      productId: typeof product === 'string' ? product : '',
      gatewayRefId: typeof gatewayRef === 'string' ? gatewayRef : '',
      merchantScope: admission.merchantScope,
      decisionId: admission.decisionId,
    };
    try {
      const approval = await deps.orm.em.fork().transactional(async (em) =>
        createApproval(
          em,
          { tenantId: claims.tid, actorId: claims.sub, contextType: claims.ctx_type, contextId: claims.ctx_id, requestId: admission.decisionId },
          {
            tenantId: claims.tid,
            kind: 'GATEWAY',
            module: route.module,
            merchantId: admission.merchantId === '' ? null : admission.merchantId,
            makerId: claims.sub,
            makerContextType: claims.ctx_type,
            makerContextId: claims.ctx_id,
            request: { ...stored },
          },
          new Date(),
          ttlHours,
        ),
      );
      void reply.code(202).send(pendingView(approval));
    } catch (err) {
      // Never forwarded: a write that needs a checker and cannot be stored is refused.
      request.log.error({ err }, 'storing a request for approval failed');
      void reply.code(503).send(errorBody(503, 'UNAVAILABLE', 'the request could not be stored for approval; try again'));
    }
    return true;
  };
}
