// Traffic of the fault tests and the soak: subjects (users with their role,
// merchants and sessions), the calls they make (gateway reads and writes,
// logins, refreshes), each recorded in a Ledger for the oracle, and loops
// that keep calls flowing while a test injects faults.
import { performance } from 'node:perf_hooks';
import type { Call, Ledger } from './oracle.ts';

export interface SessionTokens {
  sid: string;
  accessToken: string;
  refreshToken: string;
}

export interface Subject {
  userId: string;
  roleId: string;
  email: string;
  password: string;
  /** Merchants it may act on at the start (its merchant access). */
  merchants: string[];
  sessions: SessionTokens[];
  /** Serialises this subject's session changes (login, refresh, revocation), so which sessions a revocation ends is known. */
  lock: Promise<unknown>;
}

export interface Endpoint {
  name: string;
  url: string;
}

/** The `sid` claim of an access token. */
export function sessionOf(accessToken: string): string {
  const payload = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string };
  return payload.sid;
}

/** Runs `fn` after every earlier session change of `subject`. */
export function exclusive<T>(subject: Subject, fn: () => Promise<T>): Promise<T> {
  const run = subject.lock.then(fn, fn);
  subject.lock = run.catch(() => undefined);
  return run;
}

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

async function timed(init: Omit<RequestInit, 'signal'>, url: string): Promise<{ status: number; code: string; body: any; startedAt: number; endedAt: number }> {
  const startedAt = performance.now();
  let status = 0;
  let body: any = null;
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
    status = res.status;
    const text = await res.text();
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
  } catch (err) {
    // No answer at all (reset, timeout): status 0, kept apart by the oracle.
    body = { code: (err as Error).name };
  }
  return { status, code: typeof body?.code === 'string' ? body.code : '', body, startedAt, endedAt: performance.now() };
}

/** One proxied request with one of the subject's tokens; returns null when it has no session. */
export async function gatewayCall(
  ledger: Ledger,
  gateway: Endpoint,
  subject: Subject,
  action: 'read' | 'write',
  merchant: string,
  session: SessionTokens | undefined = subject.sessions.length ? pick(subject.sessions) : undefined,
): Promise<Call | null> {
  if (!session) return null;
  const headers = { authorization: `Bearer ${session.accessToken}`, 'x-merchant-id': merchant, 'content-type': 'application/json' };
  const r =
    action === 'read'
      ? await timed({ method: 'GET', headers }, `${gateway.url}/orders/${Math.floor(Math.random() * 1000)}`)
      : await timed({ method: 'POST', headers, body: '{}' }, `${gateway.url}/orders`);
  // A 200 must come from the upstream, never from the gateway itself.
  const status = r.status === 200 && r.body?.upstream !== 'echo' ? 599 : r.status;
  const call: Call = {
    kind: 'gateway', via: gateway.name, userId: subject.userId, roleId: subject.roleId, sid: session.sid, action, merchant,
    startedAt: r.startedAt, endedAt: r.endedAt, status, code: r.code,
  };
  ledger.record(call);
  return call;
}

/** POST /v1/auth/login; a successful login adds a session to the subject. */
export function login(ledger: Ledger, controlPlane: string, subject: Subject): Promise<Call> {
  return exclusive(subject, async () => {
    const r = await timed(
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: subject.email, password: subject.password }) },
      `${controlPlane}/v1/auth/login`,
    );
    let sid = '';
    if (r.status === 200 && typeof r.body?.accessToken === 'string') {
      sid = sessionOf(r.body.accessToken);
      subject.sessions.push({ sid, accessToken: r.body.accessToken, refreshToken: r.body.refreshToken });
    }
    const call: Call = {
      kind: 'login', via: 'control-plane', userId: subject.userId, roleId: subject.roleId, sid, action: 'read', merchant: '',
      startedAt: r.startedAt, endedAt: r.endedAt, status: r.status, code: r.code,
    };
    ledger.record(call);
    return call;
  });
}

/** POST /v1/auth/refresh for one of the subject's sessions; a success replaces its tokens. */
export function refresh(ledger: Ledger, controlPlane: string, subject: Subject): Promise<Call | null> {
  return exclusive(subject, async () => {
    if (subject.sessions.length === 0) return null;
    const session = pick(subject.sessions);
    const r = await timed(
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken: session.refreshToken }) },
      `${controlPlane}/v1/auth/refresh`,
    );
    if (r.status === 200 && typeof r.body?.accessToken === 'string') {
      session.accessToken = r.body.accessToken;
      session.refreshToken = r.body.refreshToken;
    }
    const call: Call = {
      kind: 'refresh', via: 'control-plane', userId: subject.userId, roleId: subject.roleId, sid: session.sid, action: 'read', merchant: '',
      startedAt: r.startedAt, endedAt: r.endedAt, status: r.status, code: r.code,
    };
    ledger.record(call);
    return call;
  });
}

/**
 * `loops` concurrent loops calling `step` until stopped. With `intervalMs`
 * each loop starts at most one step per interval (a paced, bounded load);
 * without, as fast as answers come.
 */
export function keepCalling(loops: number, step: (loop: number) => Promise<unknown>, intervalMs = 0): { stop: () => Promise<void> } {
  let stopped = false;
  const running = Array.from({ length: loops }, async (_, loop) => {
    let next = performance.now();
    while (!stopped) {
      await step(loop);
      if (intervalMs > 0) {
        next += intervalMs;
        const wait = next - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        else next = performance.now();
      }
    }
  });
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(running);
    },
  };
}

export { pick };
