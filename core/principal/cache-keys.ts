// Redis key naming of the principal records, shared by the gateway (which
// caches them) and the control plane (which deletes them when it publishes a
// change). Both Redis clients carry REDIS_KEY_PREFIX, so names here are bare.
import type { RecordKind } from './records.ts';

// A record's two keys share a hash tag ({kind:id}), so on Redis Cluster they
// live in one slot: the gateway reads them with one MGET, writes back with one
// script, and the publisher bumps them in one transaction.

/** A cached record (JSON of principal/records.ts). */
export const recordKey = (kind: RecordKind, id: string) => `principal:{${kind}:${id}}`;

/**
 * The record's generation: bumped with every published change. A gateway
 * reads it before loading from PostgreSQL and writes its copy back only if
 * it is unchanged, so a load that raced a commit never re-caches the old row.
 */
export const generationKey = (kind: RecordKind, id: string) => `principal-gen:{${kind}:${id}}`;

/** How long a record lives in Redis. A lost change message is stale at most this long there. */
export const RECORD_TTL_SECONDS = 300;

/** Generations outlive records by far, so a write-back never sees a fresh (reset) counter by accident. */
export const GENERATION_TTL_SECONDS = 24 * 60 * 60;
