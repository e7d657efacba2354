// `npm run test:faults`: fault injection and the soak (test/faults/). Kept out
// of `npm test` (vitest.config.ts excludes this folder) because they take
// minutes and own the machine while they run: files run one at a time, so a
// measurement never shares the two cores with another fault test.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    reporters: ['default'],
  },
});
