// Completeness of a gateway's decision log, from its /metrics: decisions made
// against events queued, written (stdout) or uploaded, and dropped. Read
// after the load stops, once the last batch (≤ 25 ms) has been written.
import type { Service } from './processes.ts';

export interface DecisionLogCounts {
  decisions: number;
  queued: number;
  written: number;
  uploaded: number;
  dropped: number;
}

const sum = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].reduce((n, m) => n + Number(m[1]), 0);

export async function decisionLogCounts(gateway: Service): Promise<DecisionLogCounts> {
  await new Promise((r) => setTimeout(r, 500));
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  const outcome = (o: string) => sum(text, new RegExp(`^gateway_decision_log_events_total\\{outcome="${o}"\\} (\\d+)`, 'gm'));
  return {
    decisions: sum(text, /^gateway_decisions_total\{[^}]*\} (\d+)/gm),
    queued: outcome('queued'),
    written: outcome('written'),
    uploaded: outcome('uploaded'),
    dropped: outcome('dropped'),
  };
}
