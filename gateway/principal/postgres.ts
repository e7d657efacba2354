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

export function poolRows(pool: pg.Pool): RowQuery {
  return async <R extends object>(text: string, values: readonly unknown[]) => (await pool.query<R>(text, [...values])).rows;
}
