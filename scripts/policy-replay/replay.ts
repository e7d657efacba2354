// Replays recorded decisions against a candidate bundle: each `input` of an
// OPA decision-log event (the gateway's NDJSON, gateway/decision-log/event.ts;
// a line may also hold an array of events, as uploads carry them) is decided
// again, and the answer compared with the recorded `result`. What a caller
// would see differently is a change: allow, the reasons, or a scope the
// upstream receives (core/policy/decision-diff.ts, the shadow rollout's
// comparison too; a field the log erased is not compared).
//
// Events that cannot be replayed faithfully are skipped and counted, never
// guessed at: not a decision event, another entry point, an `input` erased
// in whole or in part (DECISION_LOG_MASK), no result, a shadow bundle's
// disagreement (an event with `shadow`: gateway/policy/shadow.ts gives it
// its own decision_id and repeats the enforced decision's input and result,
// so replaying it would count that decision twice; it was never enforced),
// or a decision id seen before.
import { differences, outcomeOf, type Outcome } from '../../core/policy/decision-diff.ts';
import type { PolicyEngine } from '../../core/policy/engine.ts';
import type { DecisionInput } from '../../core/policy/types.ts';

export interface Change {
  decisionId: string;
  timestamp: string;
  method: string;
  path: string;
  revision: string;
  /** `allow`, `deny R1+R2`, or `error: …` when the candidate could not decide. */
  old: string;
  new: string;
  /** Fields that differ (allow, reasons, or a scope). */
  fields: string[];
}

export interface ReplayReport {
  revision: string;
  replayed: number;
  unchanged: number;
  changed: number;
  /** `old → new` → how many decisions. */
  byChange: Record<string, number>;
  /** The first changes, in log order. */
  examples: Change[];
  skipped: Record<string, number>;
}

export function label(o: Outcome | null, error?: string): string {
  if (o === null) return `error: ${error ?? 'no decision'}`;
  return o.allow ? 'allow' : `deny ${o.reasons.length === 0 ? '(no reason)' : o.reasons.join('+')}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export class Replay {
  private readonly seen = new Set<string>();
  readonly report: ReplayReport;

  constructor(private readonly engine: PolicyEngine, private readonly maxExamples = 10) {
    this.report = { revision: engine.revision, replayed: 0, unchanged: 0, changed: 0, byChange: {}, examples: [], skipped: {} };
  }

  private skip(why: string): void {
    this.report.skipped[why] = (this.report.skipped[why] ?? 0) + 1;
  }

  /** One line of the log: an event, an array of events, or something else (skipped). */
  line(text: string): void {
    if (text.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return this.skip('not JSON');
    }
    for (const e of Array.isArray(parsed) ? parsed : [parsed]) this.event(e);
  }

  event(e: unknown): void {
    if (!isObject(e) || typeof e.decision_id !== 'string') return this.skip('not a decision event');
    const path = typeof e.path === 'string' ? e.path.replace(/^\/+/, '') : '';
    if (path !== 'authz/decision') return this.skip('another entry point');
    const erased = Array.isArray(e.erased) ? e.erased.filter((p): p is string => typeof p === 'string') : [];
    if (!isObject(e.input) || erased.some((p) => p === '/input' || p.startsWith('/input/'))) return this.skip('input erased or missing');
    if (!isObject(e.result)) return this.skip('no result');
    if (e.shadow !== undefined) return this.skip('shadow evaluation (not enforced)');
    if (this.seen.has(e.decision_id)) return this.skip('decision id seen before');
    this.seen.add(e.decision_id);

    const old = outcomeOf(e.result);
    let now: Outcome | null = null;
    let error: string | undefined;
    try {
      now = outcomeOf(this.engine.decide(e.input as unknown as DecisionInput));
    } catch (err) {
      error = (err as Error).message;
    }
    const r = this.report;
    r.replayed++;
    const fields = now === null ? ['error'] : differences(old, now);
    if (fields.length === 0) {
      r.unchanged++;
      return;
    }
    r.changed++;
    const from = label(old);
    let to = label(now, error);
    // Same verdict, other scopes: say which.
    if (to === from) to = `${to} (${fields.join(', ')})`;
    const key = `${from} → ${to}`;
    r.byChange[key] = (r.byChange[key] ?? 0) + 1;
    if (r.examples.length < this.maxExamples) {
      const request = isObject(e.request) ? e.request : {};
      const bundles = isObject(e.bundles) && isObject(e.bundles.authz) ? e.bundles.authz : {};
      r.examples.push({
        decisionId: e.decision_id,
        timestamp: typeof e.timestamp === 'string' ? e.timestamp : '',
        method: typeof request.method === 'string' ? request.method : '',
        path: typeof request.path === 'string' ? request.path : '',
        revision: typeof bundles.revision === 'string' ? bundles.revision : '',
        old: from,
        new: to,
        fields,
      });
    }
  }
}

/** The report as text for a person: totals, counts by change (most first), first examples. */
export function formatReport(r: ReplayReport, bundle: string, log: string): string {
  const out: string[] = [];
  const skipped = Object.values(r.skipped).reduce((a, b) => a + b, 0);
  out.push(`policy replay: ${r.replayed} decisions of ${log} against revision ${r.revision} (${bundle})`);
  out.push(`  unchanged:    ${r.unchanged}`);
  out.push(`  would change: ${r.changed}`);
  if (skipped > 0) {
    const why = Object.entries(r.skipped).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`).join(', ');
    out.push(`  skipped:      ${skipped} (${why})`);
  }
  if (r.changed > 0) {
    out.push('', 'changes (old → new):');
    for (const [k, n] of Object.entries(r.byChange).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
      out.push(`  ${String(n).padStart(8)}  ${k}`);
    }
    out.push('', `first ${r.examples.length} of ${r.changed}:`);
    for (const c of r.examples) {
      out.push(`  ${c.decisionId}  ${c.timestamp}  ${c.method} ${c.path}  (recorded with revision ${c.revision || '?'})`);
      out.push(`      ${c.old} → ${c.new}`);
    }
  }
  return out.join('\n');
}
