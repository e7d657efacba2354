// The gateway's half of maker-checker (docs/domain.md#maker-checker): a maker's write on one
// of a route's `approval` methods, already allowed by the policy, is stored
// as an approval request and answered 202 {approvalId} instead of being
// forwarded. What is stored is what the upstream needs to replay it and a
// checker needs to judge it: method, canonical path, raw query, content
// type, the route's locator headers plus accept and idempotency-key, and the
// body (bounded). Never the authorization header, cookies or x-auth-*.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type pg from 'pg';
import type { FastifyReply } from 'fastify';
import { approvalAudit } from '../../core/approvals/audit.ts';
import type { StoredGatewayRequest } from '../../core/approvals/stored-request.ts';
import { errorBody } from '../../core/http/error-handler.ts';
import { encodeBody } from '../../core/approvals/forward.ts';
import type { GatewayConfig } from '../config.ts';
import type { ApprovalHook } from '../deps.ts';
import { locate } from '../pipeline/request-target.ts';
import type { GatewayRoute } from '../../core/routes/route-table.ts';

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

interface HeldRequest {
  tenantId: string;
  module: string;
  merchantId: string | null;
  makerId: string;
  makerContextType: string;
  makerContextId: string;
  request: StoredGatewayRequest;
  /** The maker's decision id: the audit event's request id. */
  decisionId: string;
}

/**
 * Stores a PENDING approval and its `approval.requested` audit event in one
 * transaction (the control plane's src/approvals/store.ts writes the same
 * rows through its ORM). Returns the approval's id and expiry.
 */
async function storeApproval(pool: pg.Pool, held: HeldRequest, now: Date, ttlHours: number): Promise<{ id: string; expiresAt: Date }> {
  const id = randomUUID();
  const expiresAt = new Date(now.getTime() + ttlHours * 3600_000);
  const after = approvalAudit({ kind: 'GATEWAY', module: held.module, merchantId: held.merchantId, makerId: held.makerId, status: 'PENDING', request: { ...held.request }, expiresAt });
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('begin');
    await client.query(
      `insert into approvals (id, tenant_id, kind, module, merchant_id, maker_id, maker_context_type, maker_context_id, request, status, expires_at, created_at, version)
       values ($1, $2, 'GATEWAY', $3, $4, $5, $6, $7, $8::jsonb, 'PENDING', $9, $10, 1)`,
      [id, held.tenantId, held.module, held.merchantId, held.makerId, held.makerContextType, held.makerContextId, JSON.stringify(held.request), expiresAt, now],
    );
    await client.query(
      `insert into audit_events (id, tenant_id, actor_id, context_type, context_id, action, target_type, target_id, before, after, request_id, created_at)
       values ($1, $2, $3, $4, $5, 'approval.requested', 'approval', $6, null, $7::jsonb, $8, $9)`,
      [randomUUID(), held.tenantId, held.makerId, held.makerContextType, held.makerContextId, id, JSON.stringify(after), held.decisionId, new Date()],
    );
    await client.query('commit');
    return { id, expiresAt };
  } catch (err) {
    failed = true;
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    // A connection that failed mid-transaction may still wait for an answer: never reused.
    client.release(failed);
  }
}

export function createApprovalHook(deps: { pool: pg.Pool; config: GatewayConfig }): ApprovalHook {
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
      const approval = await storeApproval(
        deps.pool,
        {
          tenantId: claims.tid,
          module: route.module,
          merchantId: admission.merchantId === '' ? null : admission.merchantId,
          makerId: claims.sub,
          makerContextType: claims.ctx_type,
          makerContextId: claims.ctx_id,
          request: stored,
          decisionId: admission.decisionId,
        },
        new Date(),
        ttlHours,
      );
      void reply.code(202).send({ approvalId: approval.id, status: 'PENDING', expiresAt: approval.expiresAt.toISOString() });
    } catch (err) {
      // Never forwarded: a write that needs a checker and cannot be stored is refused.
      request.log.error({ err }, 'storing a request for approval failed');
      void reply.code(503).send(errorBody(503, 'UNAVAILABLE', 'the request could not be stored for approval; try again'));
    }
    return true;
  };
}
