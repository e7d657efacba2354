// Making the gateways' shared Redis copy of one record safe after a change:
// drop the copy and bump the record's generation, in one transaction (the
// two keys share a slot, see principal/cache-keys.ts). The bump is what stops
// a load that read the old row before the change from writing it back.
// Both the control plane (after its commit) and every gateway (on hearing
// the change from PostgreSQL) do this; doing it twice is harmless.
import type { Redis } from 'ioredis';
import { GENERATION_TTL_SECONDS, generationKey, recordKey } from '../principal/cache-keys.ts';
import type { RecordKind } from '../principal/records.ts';

export async function dropSharedCopy(redis: Pick<Redis, 'multi'>, kind: RecordKind, id: string): Promise<void> {
  const results = await redis
    .multi()
    .del(recordKey(kind, id))
    .incr(generationKey(kind, id))
    .expire(generationKey(kind, id), GENERATION_TTL_SECONDS)
    .exec();
  const failed = results?.find(([err]) => err);
  if (!results || failed) throw failed?.[0] ?? new Error('authz change transaction was discarded');
}
