import { configDefaults, defineConfig } from 'vitest/config';

// Suites that need no services (the policy engine, the route table and path
// rules, prepared policy input) run without the global database setup.
const pure = [
  'test/policy/**/*.test.ts',
  'test/gateway/route-table.test.ts',
  'test/gateway/gate-prepared-parts.test.ts',
  'test/gateway/decision-log-sink.test.ts',
  'test/security/admin-malformed-inputs.test.ts',
];

export default defineConfig({
  test: {
    pool: 'forks',
    // Two cores: two workers keep both busy without starving the services.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'pure', include: pure } },
      {
        extends: true,
        test: {
          name: 'services',
          include: ['test/**/*.test.ts'],
          // Fault injection and the soak run apart: npm run test:faults.
          exclude: [...configDefaults.exclude, 'test/faults/**', ...pure],
          // One scratch database and Redis prefix per run (test/support/scratch.ts).
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
