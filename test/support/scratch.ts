// A scratch world for one run of the tests or the benchmark: a fresh
// PostgreSQL database with every migration applied, a Redis key prefix and a
// mail folder of its own, the secrets a control plane needs, and a drop()
// that removes all of it. Two runs (or a developer's stack) never see each
// other's data. test/global-setup.ts and bench/lib/stack.ts both open one.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { generateSigningKeyPem } from '../../core/tokens/keys.ts';
import { migrate, openOrm } from '../../src/db/orm.ts';
import { scanKeys } from '../../core/infra/redis.ts';

export interface Scratch {
  /** The environment every service of the run shares. */
  env: Record<string, string>;
  /** The Redis key prefix (`<kind>:<run id>:`). */
  prefix: string;
  /** Drops the database, the prefix's keys and the mail folder. */
  drop: () => Promise<void>;
}

export interface ScratchOptions {
  /** Names the database (`iam_<kind>_<run id>`) and the key prefix. */
  kind: 'test' | 'bench';
  /** A database to connect to for CREATE/DROP DATABASE. */
  adminUrl: string;
  redisUrl: string;
}

export async function openScratch({ kind, adminUrl, redisUrl }: ScratchOptions): Promise<Scratch> {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const dbName = `iam_${kind}_${runId}`;
  const prefix = `${kind}:${runId}:`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${dbName}`;
  const mailDir = await mkdtemp(join(tmpdir(), `iam-${kind}-mail-`));

  const drop = async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`drop database if exists ${dbName} with (force)`);
    await client.end();
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      const keys = await scanKeys(redis, `${prefix}*`);
      for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
    } catch {
      // Redis may be down after a fault test; nothing to clean then.
    } finally {
      redis.disconnect();
    }
    await rm(mailDir, { recursive: true, force: true });
  };

  try {
    const orm = await openOrm(databaseUrl.toString());
    await migrate(orm);
    await orm.close();
  } catch (err) {
    await drop().catch(() => undefined);
    throw err;
  }
  return {
    prefix,
    drop,
    env: {
      DATABASE_URL: databaseUrl.toString(),
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: prefix,
      MAIL_URL: `file://${mailDir}`,
      JWT_PRIVATE_KEY: generateSigningKeyPem(),
      TOTP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      POLICY_DIR: 'build/policy',
      // Every request comes from 127.0.0.1; test/auth/rate-limit.test.ts lowers it again.
      AUTH_RATE_LIMIT_MAX: '100000',
    },
  };
}
