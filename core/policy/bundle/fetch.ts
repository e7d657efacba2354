// One request of OPA's bundle service protocol
// (https://www.openpolicyagent.org/docs/management-bundles, v1/download):
//
//   GET <POLICY_BUNDLE_URL>
//   If-None-Match: <etag of the bundle held>      304: keep it
//   Prefer: wait=<s>                               a long-polling server holds the
//                                                  request until the bundle changes
//   Authorization: Bearer <POLICY_BUNDLE_TOKEN>
//
// A server that answers `Content-Type: application/vnd.openpolicyagent.bundles`
// long-polls: the client asks again at once. Any other (a plain file server,
// S3, nginx) is polled every POLICY_BUNDLE_POLL_SECONDS. The body is read with
// a size cap, and the whole request with a timeout (the wait plus
// POLICY_BUNDLE_TIMEOUT_MS), so a server that hangs costs one timeout.
import { BundleRefused } from './refusal.ts';

export const LONG_POLL_CONTENT_TYPE = 'application/vnd.openpolicyagent.bundles';

export interface FetchRequest {
  url: string;
  etag: string | null;
  token: string | null;
  /** Seconds a long-polling server may hold the request (0: do not ask). */
  waitSeconds: number;
  /** Time allowed on top of the wait. */
  timeoutMs: number;
  maxBytes: number;
  /** Aborts the request when the client closes. */
  signal?: AbortSignal;
}

export type FetchOutcome =
  | { modified: true; body: Buffer; etag: string | null; longPoll: boolean }
  | { modified: false; etag: string | null; longPoll: boolean | null };

export async function fetchBundle(r: FetchRequest): Promise<FetchOutcome> {
  const headers: Record<string, string> = { accept: `${LONG_POLL_CONTENT_TYPE}, application/gzip;q=0.9, */*;q=0.1` };
  if (r.etag !== null) headers['if-none-match'] = r.etag;
  if (r.waitSeconds > 0) headers.prefer = `wait=${r.waitSeconds}`;
  if (r.token !== null) headers.authorization = `Bearer ${r.token}`;
  const timeout = AbortSignal.timeout(r.waitSeconds * 1000 + r.timeoutMs);
  const signal = r.signal === undefined ? timeout : AbortSignal.any([timeout, r.signal]);
  let res: Response;
  try {
    res = await fetch(r.url, { headers, signal, redirect: 'follow' });
  } catch (err) {
    throw new BundleRefused('download', `bundle server ${origin(r.url)} unreachable: ${reason(err)}`);
  }
  const longPoll = (res.headers.get('content-type') ?? '').split(';')[0]!.trim() === LONG_POLL_CONTENT_TYPE;
  if (res.status === 304) {
    await res.body?.cancel();
    // A 304 carries no Content-Type (RFC 9110): it says nothing about long polling.
    return { modified: false, etag: res.headers.get('etag') ?? r.etag, longPoll: res.headers.has('content-type') ? longPoll : null };
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new BundleRefused('download', `bundle server ${origin(r.url)} answered HTTP ${res.status}`);
  }
  const body = await readCapped(res, r.maxBytes, r.url);
  return { modified: true, body, etag: res.headers.get('etag'), longPoll };
}

async function readCapped(res: Response, maxBytes: number, url: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new BundleRefused('download', `bundle from ${origin(url)} is ${declared} bytes, over the ${maxBytes}-byte limit`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body ?? []) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new BundleRefused('download', `bundle from ${origin(url)} is over the ${maxBytes}-byte limit`);
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof BundleRefused) throw err;
    throw new BundleRefused('download', `bundle download from ${origin(url)} failed: ${reason(err)}`);
  }
  return Buffer.concat(chunks);
}

/** The URL without its query or credentials: what a log line may say. */
function origin(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(bad URL)';
  }
}

function reason(err: unknown): string {
  const e = err as Error & { cause?: Error };
  if (e.name === 'TimeoutError') return 'timed out';
  return e.cause?.message ?? e.message;
}
