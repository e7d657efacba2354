// One scratch world per test run (test/support/scratch.ts): a fresh
// PostgreSQL database and Redis key prefix, dropped after. Only the suites
// that need services run under it (vitest.config.ts, project `services`).
import type { TestProject } from 'vitest/node';
import { openScratch } from './support/scratch.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    env: Record<string, string>;
  }
}

export default async function setup(project: TestProject) {
  const scratch = await openScratch({
    kind: 'test',
    adminUrl: process.env['TEST_DATABASE_ADMIN_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    redisUrl: process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  });
  project.provide('env', {
    ...scratch.env,
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://localhost:3000',
    GATEWAY_ROUTES: 'test/support/routes.test.yaml',
  });
  return scratch.drop;
}
