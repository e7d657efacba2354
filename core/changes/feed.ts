// The change feed's wire format on PostgreSQL. Triggers on the tables a
// principal record is read from (src/db/migrations/*_authz_change_feed.ts)
// call pg_notify(FEED_CHANNEL, '<kind>|<ms>|<id>') inside the mutation's
// transaction; PostgreSQL delivers it to every listening session at COMMIT
// and never for a transaction that rolls back. `*` as the kind (TRUNCATE)
// names no record: forget everything.
import type { AuthzChange, ChangedRecord } from './authz-changes.ts';

export const FEED_CHANNEL = 'authz_changes';

const kinds = new Set<string>(['user', 'role', 'session', 'merchant'] satisfies ChangedRecord[]);

/** The change a notification names; 'flush' when it names everything or cannot be read. */
export function parseFeedPayload(payload: string | undefined): AuthzChange | 'flush' {
  const [kind, at, ...rest] = (payload ?? '').split('|');
  const id = rest.join('|');
  if (!kind || !kinds.has(kind) || id === '') return 'flush';
  return { kind: kind as ChangedRecord, id, at: Number(at) || Date.now() };
}
