// Sending an approved request upstream (maker-checker). The control plane
// runs this once a checker approves (src/approvals/decide.ts), with the
// gateway's rules: the route table's upstream for the stored route, the
// maker's identity headers as the gateway would have set them, plus
// `x-auth-approved-by` and `x-auth-approval-id`. Nothing is retried (a
// retried write could run twice); the upstream's answer is kept, bounded.
import type { ApprovalResult, StoredGatewayRequest } from './stored-request.ts';
import { isIdentityHeader, setIdentityHeaders } from '../identity/headers.ts';
import { normalisedHeaderName, routingHeaders, type GatewayRoute } from '../routes/route-table.ts';

/** The maker's identity as decided now, and who approved. */
export interface ApprovedIdentity {
  userId: string;
  tenantId: string;
  contextType: string;
  contextId: string;
  merchantId: string;
  merchantScope: string;
  /** The maker's restrictions now (`*` or ids), as the gateway sends them. */
  productScope: string;
  gatewayRefScope: string;
  decisionId: string;
  approvalId: string;
  approvedBy: string;
}

/** How much of the upstream's answer an approval keeps. */
export const RESULT_MAX_BYTES = 16 * 1024;

export function approvedHeaders(stored: StoredGatewayRequest, who: ApprovedIdentity): Record<string, string> {
  const headers: Record<string, string> = {};
  // Stored headers were allow-listed at the gateway; drop any identity or routing header anyway.
  for (const [name, value] of Object.entries(stored.headers)) {
    const n = normalisedHeaderName(name);
    if (!isIdentityHeader(n) && n !== 'authorization' && n !== 'cookie' && !routingHeaders.has(n) && !n.startsWith('x-forwarded-')) headers[name] = value;
  }
  if (stored.contentType !== null) headers['content-type'] = stored.contentType;
  setIdentityHeaders(headers, { sub: who.userId, tid: who.tenantId, ctx_type: who.contextType, ctx_id: who.contextId }, who);
  headers['x-auth-approved-by'] = who.approvedBy;
  headers['x-auth-approval-id'] = who.approvalId;
  return headers;
}

async function readBounded(body: ReadableStream<Uint8Array> | null, max: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  if (body === null) return { bytes: Buffer.alloc(0), truncated: false };
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes: Buffer.concat(chunks), truncated: false };
      chunks.push(Buffer.from(value));
      size += value.byteLength;
      if (size > max) return { bytes: Buffer.concat(chunks).subarray(0, max), truncated: true };
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** Text when the bytes are valid UTF-8, else base64. */
export function encodeBody(bytes: Buffer): { body: string; bodyEncoding: 'utf8' | 'base64' } {
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? { body: text, bodyEncoding: 'utf8' } : { body: bytes.toString('base64'), bodyEncoding: 'base64' };
}

export function decodeBody(stored: Pick<StoredGatewayRequest, 'body' | 'bodyEncoding'>): Buffer {
  return Buffer.from(stored.body, stored.bodyEncoding === 'base64' ? 'base64' : 'utf8');
}

/**
 * Sends the stored request to the route's upstream. Any answer (1xx-5xx) is
 * returned with its status; a network failure or timeout as a code.
 */
export async function forwardApproved(route: GatewayRoute, stored: StoredGatewayRequest, who: ApprovedIdentity, timeoutMs: number): Promise<ApprovalResult> {
  const url = `${route.upstream.replace(/\/$/, '')}${stored.path}${stored.query === '' ? '' : `?${stored.query}`}`;
  const body = decodeBody(stored);
  let res: Response;
  try {
    res = await fetch(url, {
      method: stored.method,
      headers: approvedHeaders(stored, who),
      body: body.length > 0 ? body : null,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const timedOut = (err as Error).name === 'TimeoutError';
    return timedOut
      ? { code: 'UPSTREAM_TIMEOUT', message: 'the upstream service did not answer in time' }
      : { code: 'UPSTREAM_UNAVAILABLE', message: 'the upstream service is unreachable' };
  }
  try {
    const { bytes, truncated } = await readBounded(res.body, RESULT_MAX_BYTES);
    return { upstreamStatus: res.status, contentType: res.headers.get('content-type'), ...encodeBody(bytes), truncated };
  } catch {
    // The status arrived: the upstream acted, even if its body broke off.
    return { upstreamStatus: res.status, contentType: res.headers.get('content-type'), body: '', bodyEncoding: 'utf8', truncated: true };
  }
}
