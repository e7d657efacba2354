// `npm run bench -- --quick` runs every part of the benchmark end to end
// (servers as child processes, a fresh bench database, real load for about a
// second per configuration) and prints the report. The figures of a quick run
// mean nothing; this only keeps the instrument working.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../bench/lib/report.ts';

describe('npm run bench -- --quick', () => {
  it('runs every part and reports every table', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code, err).toBe(0);
    for (const heading of ['Targets', 'Throughput', 'Added latency', 'Policy micro-benchmark', 'Revocation propagation', 'Cold paths', 'Memory']) {
      expect(out).toContain(`### ${heading}`);
    }
    const result = JSON.parse(await readFile('build/bench/last-run.json', 'utf8')) as RunResult;
    expect(result.mode.name).toBe('quick');
    expect(result.throughput?.map((s) => s.key)).toEqual(['upstream', 'bare', 'gateway', 'gatewayWarn', 'gatewayNoMemo', 'opa', 'gatewayWorkers']);
    // Every configuration answered its requests with 200s.
    for (const s of result.throughput ?? []) expect({ key: s.key, non2xx: s.non2xx, errors: s.errors, rps: s.rps > 0 }).toEqual({ key: s.key, non2xx: 0, errors: 0, rps: true });
    expect(result.revocation?.revocations.missed).toBe(0);
    expect(result.revocation?.revocations.count).toBeGreaterThanOrEqual(10);
    expect(result.cold).toHaveLength(4);
    expect(result.memory?.snapshots).toHaveLength(5);
    expect(result.policy?.realistic.decisionsPerSecond).toBeGreaterThan(0);
  }, 240_000);
});
