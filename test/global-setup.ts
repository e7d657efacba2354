// One fresh PostgreSQL database and one Redis key prefix per test run, so two
// runs (or a developer's stack) never see each other's data. Dropped after.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { Redis } from 'ioredis';
import { openOrm, migrate } from '../src/db/orm.ts';
import { generateSigningKeyPem } from '../core/tokens/keys.ts';

const adminUrl = process.env['TEST_DATABASE_ADMIN_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

declare module 'vitest' {
  export interface ProvidedContext {
    env: Record<string, string>;
  }
}

export default async function setup(project: TestProject) {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const dbName = `iam_test_${runId}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${dbName}`;

  const orm = await openOrm(databaseUrl.toString());
  await migrate(orm);
  await orm.close();

  const mailDir = await mkdtemp(join(tmpdir(), 'iam-mail-'));
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl.toString(),
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `test:${runId}:`,
    MAIL_URL: `file://${mailDir}`,
    LOG_LEVEL: 'silent',
    JWT_PRIVATE_KEY: generateSigningKeyPem(),
    TOTP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    PUBLIC_URL: 'http://localhost:3000',
    POLICY_DIR: 'build/policy',
    GATEWAY_ROUTES: 'test/support/routes.test.yaml',
    // Every test logs in from 127.0.0.1; test/auth/rate-limit.test.ts lowers it again.
    AUTH_RATE_LIMIT_MAX: '100000',
  };
  project.provide('env', env);

  return async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`drop database if exists ${dbName} with (force)`);
    await client.end();
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `test:${runId}:*`, 'COUNT', 500);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    } catch {
      // Redis may be down after a fault test; nothing to clean then.
    } finally {
      redis.disconnect();
    }
    await rm(mailDir, { recursive: true, force: true });
  };
}
