// The gateway's PostgreSQL: a plain pg pool, no ORM (it reads principal
// records and writes held approvals, both in plain SQL).
//
// Short timeouts: a PostgreSQL that does not answer turns into a 503 within
// seconds, never into requests piling up. statement_timeout is the server's;
// query_timeout covers a server (or path) that stopped answering on a
// connection the pool already holds; connectionTimeoutMillis bounds both
// connecting and waiting for a pooled connection. pool.query() destroys a
// connection whose query failed instead of handing it out again, so a
// connection still waiting for a lost answer never serves the next query.
import pg from 'pg';
import type { RowQuery } from '../../core/db/rows.ts';

export function openPostgres(databaseUrl: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    min: 0,
    max: 10,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: 2000,
    statement_timeout: 2000,
    query_timeout: 2500,
  });
  // An idle connection's error (the server went away) is surfaced through
  // failed queries and readiness; unhandled, it would crash the process.
  pool.on('error', () => {});
  return pool;
}

/** A pooled connection that died while idle (PostgreSQL restarted, a path reset): it fails its next query at once. */
function deadConnection(err: unknown): boolean {
  const e = err as { message?: string; code?: string };
  return /Connection terminated|not queryable/.test(e.message ?? '') || e.code === 'ECONNRESET' || e.code === 'EPIPE';
}

export function poolRows(pool: pg.Pool): RowQuery {
  return async <R extends object>(text: string, values: readonly unknown[]) => {
    // The pool has dropped a dead connection by the time its query fails, so
    // a retry takes another; after an outage every idle connection may be
    // dead, and the change feed's reconnect sends every lookup here at once.
    // Reads only: retrying is harmless. Timeouts are not retried.
    for (let attempt = 1; ; attempt++) {
      try {
        return (await pool.query<R>(text, [...values])).rows;
      } catch (err) {
        if (attempt >= 3 || !deadConnection(err)) throw err;
      }
    }
  };
}
