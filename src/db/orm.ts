import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './entities.ts';
import { migrationsList } from './migrations/index.ts';

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
    pool: { min: 0, max: poolMax, idleTimeoutMillis: 10_000, acquireTimeoutMillis: 5000 },
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
