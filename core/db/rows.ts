// The one thing core/ asks of a database: run a statement, get its rows.
// The gateway answers it with a pg pool (gateway/principal/postgres.ts), the
// control plane with its entity manager's connection (src/db/rows.ts), so the
// record loaders (core/principal/load.ts) serve both without the ORM.

/** Runs one SQL statement whose parameters are $1, $2… (each used once, in order) and returns its rows. */
export type RowQuery = <R extends object>(text: string, values: readonly unknown[]) => Promise<R[]>;
