import { MikroORM, type Options, type PoolConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './entities.ts';
import { migrationsList } from './migrations/index.ts';

/**
 * Pool check before a connection is handed out: it must be idle at the
 * protocol level. A connection whose query timed out (query_timeout) still
 * waits for that query's answer, which never comes from a server or path
 * that stopped answering; handed out again, it would fail every query after
 * the database is back. Such a connection is destroyed and replaced.
 */
export const idleConnection = (connection: { readyForQuery?: boolean }): boolean => connection.readyForQuery === true;

/** Adds `idleConnection` as the pool's `validate`, which knex hands to its pool (MikroORM's PoolConfig type does not list it). */
export function withIdleCheck(pool: PoolConfig): PoolConfig {
  const withValidate = { ...pool, validate: idleConnection };
  return withValidate;
}

export function ormOptions(databaseUrl: string, poolMax = 10): Options {
  return {
    clientUrl: databaseUrl,
    entities,
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    // Requests use `em.fork()` explicitly; a global context would leak identity maps.
    allowGlobalContext: false,
    forceUtcTimezone: true,
    // statement_timeout ends a slow statement on the server. A server (or the
    // path to it) that stops answering never sends that error, so the client
    // gives up too: on connecting, on waiting for a pooled connection, and on
    // a query, and the request answers 503 instead of hanging.
    pool: withIdleCheck({ min: 0, max: poolMax, idleTimeoutMillis: 10_000, acquireTimeoutMillis: 5000 }),
    driverOptions: { connection: { statement_timeout: 5000, query_timeout: 6000, connectionTimeoutMillis: 5000 } },
    debug: false,
  };
}

export async function openOrm(databaseUrl: string, poolMax?: number): Promise<MikroORM> {
  return MikroORM.init(ormOptions(databaseUrl, poolMax));
}

/** Applies every pending committed migration. */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

/** Fails when a committed migration is not applied (a replica started before the migration job ran). */
export async function requireMigrated(orm: MikroORM): Promise<void> {
  const pending = await orm.getMigrator().getPendingMigrations();
  if (pending.length > 0) {
    throw new Error(`database has ${pending.length} pending migration(s) (${pending.map((m) => m.name).join(', ')}): run node dist/src/db/migrate.js`);
  }
}
