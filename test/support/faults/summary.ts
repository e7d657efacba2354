// Each fault scenario writes what it tried and what it found to
// build/faults/<name>.json; the soak writes build/soak-summary.json. The
// README's Security section quotes these figures.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Verdict } from './oracle.ts';

export interface ScenarioSummary {
  scenario: string;
  faultsInjected: string[];
  requests: number;
  allowed: number;
  denied: number;
  revocations: number;
  wrongfulAllows: number;
  wrongfulDenies: number;
  byStatus: Record<string, number>;
  [extra: string]: unknown;
}

export function summarize(scenario: string, faultsInjected: string[], verdict: Verdict, revocations: number, extra: Record<string, unknown> = {}): ScenarioSummary {
  return {
    scenario,
    faultsInjected,
    requests: verdict.calls,
    allowed: verdict.allowed,
    denied: verdict.denied,
    revocations,
    wrongfulAllows: verdict.wrongfulAllows.length,
    wrongfulDenies: verdict.wrongfulDenies.length,
    byStatus: verdict.byStatus,
    ...extra,
  };
}

export async function writeSummary(file: string, summary: unknown): Promise<void> {
  const path = join('build', file);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, `${JSON.stringify(summary, null, 2)}\n`);
}

export const writeScenario = (s: ScenarioSummary) => writeSummary(join('faults', `${s.scenario}.json`), s);
