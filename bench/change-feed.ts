// The PostgreSQL change feed at 1,000 changes per second
// (docs/architecture.md#the-change-feed): what it costs and how late it is.
//
//   npx tsx bench/change-feed.ts            (CHANGE_FEED_RATE, CHANGE_FEED_SECONDS to vary)
//
// A scratch database (every migration, so the feed's triggers) with 1,000
// users. Writers update them at a paced rate, each UPDATE its own
// transaction, in two modes of equal SQL cost:
// - announced: the status flips, so the trigger notifies;
// - silent: the email changes, a column no principal record reads, so the
//   trigger's WHEN clause is evaluated and nothing is sent.
// A real gateway subscriber (gateway/principal/authz-subscriber.ts, with its
// cache, its PostgreSQL session and its shared-copy drops in Redis) listens
// throughout. Reported: transaction latency in both modes (the cost on the
// writer's side), the process's CPU per change in both modes (the difference
// is the subscriber's work: parse, evict, one Redis MULTI per change),
// delay to the change applied in the gateway (Redis copy dropped, listeners
// told) from the trigger's clock and from the writer hearing its COMMIT
// answered, changes lost (must be 0), and the
// most UPDATEs per second in each mode with the writers unpaced.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import pg from 'pg';
import pino from 'pino';
import { openScratch } from '../test/support/scratch.ts';
import { AuthzChangeSubscriber } from '../gateway/principal/authz-subscriber.ts';
import { PrincipalCache } from '../gateway/principal/cache.ts';
import { poolRows } from '../gateway/principal/postgres.ts';
import { GatewayMetrics } from '../gateway/ops/metrics.ts';
import { median, percentile } from './lib/stats.ts';

const RATE = Number(process.env['CHANGE_FEED_RATE'] ?? 1000);
const SECONDS = Number(process.env['CHANGE_FEED_SECONDS'] ?? 10);
const USERS = 1000;
const WRITERS = 8;
const adminUrl = process.env['BENCH_DATABASE_ADMIN_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const wall = () => performance.timeOrigin + performance.now();
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

type Mode = 'announced' | 'silent';

const statement: Record<Mode, string> = {
  announced: `update users set status = case status when 'ACTIVE' then 'DISABLED' else 'ACTIVE' end where id = $1`,
  silent: `update users set email = 'u' || floor(random() * 1e9)::text || '-' || id || '@bench.test' where id = $1`,
};

async function seed(pool: pg.Pool): Promise<string[]> {
  const tenant = `feed-${randomUUID().slice(0, 8)}`;
  const role = randomUUID();
  const ids = Array.from({ length: USERS }, () => randomUUID());
  await pool.query(`insert into tenants (id, name) values ($1, 'Feed bench')`, [tenant]);
  await pool.query(`insert into roles (id, tenant_id, name, scope, owner_type, owner_id, acl) values ($1, $2, 'bench', 'TENANT', 'TENANT', $2, '{"orders":"RW"}')`, [role, tenant]);
  await pool.query(
    `insert into users (id, tenant_id, email, type, role_id, status)
       select id, $1, id::text || '@bench.test', 'TENANT', $2, 'ACTIVE' from unnest($3::uuid[]) as id`,
    [tenant, role, ids],
  );
  return ids;
}

/** `rate` UPDATEs per second for `seconds` over WRITERS connections (0 = as fast as they go); per-transaction latency in ms. */
async function write(
  pool: pg.Pool,
  ids: string[],
  mode: Mode,
  rate: number,
  seconds: number,
  onCommitted: (id: string, at: number) => void = () => {},
): Promise<{ latencies: number[]; cpuUsPerChange: number; perSecond: number }> {
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  const end = started + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      let next = started + (w * 1000) / Math.max(rate, 1) ;
      for (let i = w; performance.now() < end; i += WRITERS) {
        if (rate > 0) {
          next += (WRITERS * 1000) / rate;
          const wait = next - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        const t = performance.now();
        const id = ids[i % ids.length]!;
        await pool.query(statement[mode], [id]);
        onCommitted(id, wall());
        latencies.push(performance.now() - t);
        n++;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  const elapsed = (performance.now() - started) / 1000;
  return { latencies, cpuUsPerChange: (used.user + used.system) / n, perSecond: n / elapsed };
}

const summary = (xs: number[]) => ({ count: xs.length, p50: round(median(xs)), p99: round(percentile(xs, 99)), max: round(Math.max(...xs)) });

async function main(): Promise<void> {
  const scratch = await openScratch({ kind: 'bench', adminUrl, redisUrl });
  const databaseUrl = scratch.env['DATABASE_URL']!;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: WRITERS });
  const gatewayPool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const redis = new Redis(redisUrl, { keyPrefix: scratch.prefix, maxRetriesPerRequest: 1 });
  const metrics = new GatewayMetrics();
  const cache = new PrincipalCache(poolRows(gatewayPool), redis, metrics);
  const subscriber = new AuthzChangeSubscriber({ url: redisUrl }, scratch.prefix, cache, metrics, pino({ level: 'silent' }), {}, { databaseUrl, sharedRedis: redis });
  try {
    await subscriber.start();
    if (!subscriber.live) throw new Error('the change feed did not go live');
    const ids = await seed(pool);

    const delays: number[] = [];
    // Per user, in order (each user is written by one writer, one UPDATE at a time): when
    // its COMMIT was answered to the writer, and when the gateway had applied it.
    const committed = new Map<string, number[]>();
    const applied = new Map<string, number[]>();
    const push = (m: Map<string, number[]>, id: string, t: number) => (m.get(id) ?? m.set(id, []).get(id)!).push(t);
    let heard = 0;
    subscriber.onChange((c) => {
      heard++;
      const now = wall();
      // `at` is the trigger's clock in whole ms (overstates by up to 1 ms), taken before COMMIT waits its turn.
      delays.push(Math.max(0, now - c.at));
      push(applied, c.id, now);
    });

    // Warm-up: connections, plans, JIT.
    await write(pool, ids, 'announced', RATE, 1);
    await write(pool, ids, 'silent', RATE, 1);
    delays.length = 0;
    heard = 0;
    applied.clear();

    const announced = await write(pool, ids, 'announced', RATE, SECONDS, (id, t) => push(committed, id, t));
    // Let the last notifications land before counting.
    await new Promise((r) => setTimeout(r, 500));
    const announcedDelays = [...delays];
    // Applied in the gateway minus COMMIT answered to the writer (negative: the gateway was first).
    const afterCommit = [...committed].flatMap(([id, acks]) => acks.map((t, k) => (applied.get(id)?.[k] ?? NaN) - t)).filter(Number.isFinite);
    const lost = announced.latencies.length - heard;
    const silent = await write(pool, ids, 'silent', RATE, SECONDS);
    const queue = (await pool.query<{ usage: number }>('select pg_notification_queue_usage() as usage')).rows[0]!.usage;
    const maxAnnounced = await write(pool, ids, 'announced', 0, 3);
    const maxSilent = await write(pool, ids, 'silent', 0, 3);

    const report = {
      rate: RATE,
      seconds: SECONDS,
      writers: WRITERS,
      changesSent: announced.latencies.length,
      changesLost: lost,
      delayTriggerToAppliedMs: summary(announcedDelays),
      delayCommitAnsweredToAppliedMs: { ...summary(afterCommit), min: round(Math.min(...afterCommit)) },
      transactionMs: { announced: summary(announced.latencies), silent: summary(silent.latencies) },
      achievedPerSecond: { announced: Math.round(announced.perSecond), silent: Math.round(silent.perSecond) },
      processCpuUsPerChange: { announced: round(announced.cpuUsPerChange, 1), silent: round(silent.cpuUsPerChange, 1) },
      unpacedUpdatesPerSecond: { announced: Math.round(maxAnnounced.perSecond), silent: Math.round(maxSilent.perSecond) },
      notifyQueueUsage: queue,
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    subscriber.close();
    redis.disconnect();
    await pool.end();
    await gatewayPool.end();
    await scratch.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
