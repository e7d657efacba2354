// The wrongful-allow oracle of the fault tests and the soak.
//
// Access only ever shrinks while a test runs: a revocation (user disabled,
// role disabled, role lowered, merchant access removed, sessions revoked) is
// never undone. So the expected answer of every recorded call follows from
// the revocations that affect it, by construction, without reading the
// database at the call's time:
// - it must be denied if it started after a revocation affecting it was
//   committed plus a grace period (100 ms, the design's propagation target).
//   The commit is timed by a relay in front of the control planes'
//   PostgreSQL (commit-clock.ts; every fault test's ledger has one); a
//   ledger without falls back to the admin request's answer, which comes
//   later (a looser bound);
// - it must be allowed if it ended before any revocation affecting it was
//   sent;
// - in between (the revocation was in flight) either answer is right.
// An allow of the first kind is a wrongful allow, a deny (401/403) of the
// second kind a wrongful deny. Any other status is reported apart (the
// caller decides whether it fell inside an injected fault).
import { performance } from 'node:perf_hooks';
import type { CommitClock } from './commit-clock.ts';

export interface Call {
  /** `gateway`: a proxied request; `login`, `refresh`: the control plane's token routes. */
  kind: 'gateway' | 'login' | 'refresh';
  /** Which gateway (or `control-plane`) answered. */
  via: string;
  userId: string;
  roleId: string;
  /** The session the token belongs to ('' for a login). */
  sid: string;
  action: 'read' | 'write';
  merchant: string;
  startedAt: number;
  endedAt: number;
  status: number;
  code: string;
}

export interface Revocation {
  label: string;
  sentAt: number;
  /** When its transaction's COMMIT passed the relay; `answeredAt` when the ledger has no commit clock. */
  committedAt: number;
  /** When its admin request was answered: the commit happened before. */
  answeredAt: number;
  affects: (call: Call) => boolean;
}

export interface Verdict {
  calls: number;
  allowed: number;
  denied: number;
  byStatus: Record<string, number>;
  wrongfulAllows: Call[];
  wrongfulDenies: Call[];
  /** Neither allowed nor a 401/403: 5xx, 429, … */
  otherStatuses: Call[];
}

const isAllowed = (c: Call) => c.status >= 200 && c.status < 300;
const isDenied = (c: Call) => c.status === 401 || c.status === 403;

export class Ledger {
  readonly calls: Call[] = [];
  readonly revocations: Revocation[] = [];
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  /** `clock`: times each revocation's COMMIT on the control planes' PostgreSQL relay. */
  constructor(private readonly clock?: CommitClock) {}

  record(call: Call): void {
    this.calls.push(call);
    for (const w of [...this.waiters]) {
      if (this.calls.length >= w.count) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  /** Resolves once `n` more calls than now have been recorded. */
  after(n: number): Promise<void> {
    const count = this.calls.length + n;
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  /**
   * Runs an admin request that revokes something; it must succeed (2xx).
   * `commitMarks` name its transaction (commit-clock.ts) for a ledger with a clock.
   */
  async revoke(label: string, affects: Revocation['affects'], request: () => Promise<{ status: number; body: unknown }>, commitMarks: RegExp[] = []): Promise<Revocation> {
    const committed = this.clock && commitMarks.length ? this.clock.commitOf(commitMarks) : null;
    const sentAt = performance.now();
    const res = await request();
    const answeredAt = performance.now();
    if (res.status < 200 || res.status >= 300) {
      throw new Error(`revocation ${label} failed: ${res.status} ${JSON.stringify(res.body)}`);
    }
    // The relay saw the COMMIT before the control plane could answer: it is known by now.
    const committedAt = committed ? await Promise.race([committed, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`revocation ${label}: no COMMIT seen by the relay`)), 1000))]) : answeredAt;
    if (committedAt < sentAt) throw new Error(`revocation ${label}: the COMMIT seen predates the request (its marks name another transaction)`);
    const revocation = { label, sentAt, committedAt, answeredAt, affects };
    this.revocations.push(revocation);
    return revocation;
  }

  judge(graceMs = 100, calls: Call[] = this.calls): Verdict {
    const verdict: Verdict = { calls: calls.length, allowed: 0, denied: 0, byStatus: {}, wrongfulAllows: [], wrongfulDenies: [], otherStatuses: [] };
    for (const c of calls) {
      verdict.byStatus[c.status] = (verdict.byStatus[c.status] ?? 0) + 1;
      const affecting = this.revocations.filter((r) => r.affects(c));
      if (isAllowed(c)) {
        verdict.allowed++;
        if (affecting.some((r) => c.startedAt > r.committedAt + graceMs)) verdict.wrongfulAllows.push(c);
      } else if (isDenied(c)) {
        verdict.denied++;
        if (!affecting.some((r) => r.sentAt < c.endedAt)) verdict.wrongfulDenies.push(c);
      } else {
        verdict.otherStatuses.push(c);
      }
    }
    return verdict;
  }
}

/**
 * For each revocation: how long after its COMMIT its admin got the answer,
 * and how long after its COMMIT the last call it affects that was allowed
 * started (null: none after the COMMIT; the oracle allows at most 100 ms).
 */
export function afterCommit(ledger: Ledger): { revocation: string; answerAfterCommitMs: number; lastAllowStartedAfterCommitMs: number | null }[] {
  const ms = (x: number) => +x.toFixed(1);
  return ledger.revocations.map((r) => {
    const late = ledger.calls.filter((c) => r.affects(c) && isAllowed(c) && c.startedAt > r.committedAt).map((c) => c.startedAt - r.committedAt);
    return {
      revocation: r.label.replace(/ [0-9a-f-]{36}/g, ''),
      answerAfterCommitMs: ms(r.answeredAt - r.committedAt),
      lastAllowStartedAfterCommitMs: late.length ? ms(Math.max(...late)) : null,
    };
  });
}

/** A few calls of a list, for a readable assertion message. */
export const sample = (calls: Call[], n = 5) =>
  calls.slice(0, n).map((c) => `${c.kind} ${c.via} ${c.action} ${c.merchant} user=${c.userId.slice(0, 8)} → ${c.status} ${c.code}`);
