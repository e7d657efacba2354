// How long and how hard each part of the benchmark runs. `full` is the run
// RESULTS.md reports (about 8 minutes on 2 cores); `quick` only proves the
// scripts work end to end (CI smoke, well under a minute) — its figures mean
// nothing.

export interface Mode {
  name: 'full' | 'quick';
  /** autocannon connections for every throughput and fixed-rate measurement. */
  connections: number;
  throughput: { warmupSec: number; rounds: number; durationSec: number };
  /** The first share is the target's (60 % of the bare proxy's capacity); the others show where the curve starts. */
  fixedRate: { shares: number[]; rounds: number; durationSec: number };
  policy: { durationMs: number };
  revocation: { cycles: number; backgroundShare: number; timeoutMs: number };
  memory: { warmup: number; requests: number; users: number };
  cold: { samples: number };
}

export const modes: Record<Mode['name'], Mode> = {
  full: {
    name: 'full',
    connections: 32,
    throughput: { warmupSec: 2, rounds: 3, durationSec: 8 },
    fixedRate: { shares: [0.6, 0.3], rounds: 2, durationSec: 8 },
    policy: { durationMs: 2000 },
    revocation: { cycles: 20, backgroundShare: 0.3, timeoutMs: 2000 },
    memory: { warmup: 50_000, requests: 1_000_000, users: 200 },
    cold: { samples: 200 },
  },
  quick: {
    name: 'quick',
    connections: 8,
    throughput: { warmupSec: 0, rounds: 1, durationSec: 1 },
    fixedRate: { shares: [0.6], rounds: 1, durationSec: 1 },
    policy: { durationMs: 100 },
    revocation: { cycles: 1, backgroundShare: 0.2, timeoutMs: 2000 },
    memory: { warmup: 500, requests: 2000, users: 10 },
    cold: { samples: 5 },
  },
};
