// Changes that affect authorization are announced on one Redis channel after
// their transaction commits; every gateway evicts what it cached for them.
// The message names a record, never its contents: receivers reload.
import type { RedisClient } from '../infra/redis.ts';
import { GENERATION_TTL_SECONDS, generationKey, recordKey } from '../principal/cache-keys.ts';
import type { RecordKind } from '../principal/records.ts';

export type ChangedRecord = RecordKind;

export interface AuthzChange {
  kind: ChangedRecord;
  id: string;
  /** Commit time (ms), so receivers can report propagation delay. */
  at: number;
}

const MAX_PENDING = 10_000;
/** Pause between retries of failed announcements. */
const RETRY_MS = 500;

export const authzChannel = (prefix: string) => `${prefix}authz-changes`;

export class AuthzChangePublisher {
  /** Changes whose publish failed; retried when the connection is ready again. */
  private pending: AuthzChange[] = [];
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    redis.on('ready', () => void this.retryPending());
  }

  /**
   * Publishes after commit. For each changed record, in one transaction (its
   * keys share a slot, see principal/cache-keys.ts): drop the gateways' shared
   * Redis copy and bump its generation (so an in-flight load of the old row
   * is not written back). Then publish, so every gateway evicts its
   * in-process copy and reloads.
   *
   * A failed publish is logged, not thrown: the mutation is committed. It is
   * retried every 500 ms and when this connection is ready again (a command
   * that timed out on a slow Redis leaves the connection open, so waiting
   * for a reconnect alone could wait forever); meanwhile gateways bound
   * staleness by their cache TTLs, and a gateway whose own Redis connection
   * dropped or slowed down reads PostgreSQL until it is back and has flushed.
   */
  async publish(changes: Omit<AuthzChange, 'at'>[]): Promise<void> {
    if (changes.length === 0) return;
    const at = Date.now();
    await this.send(changes.map((c) => ({ kind: c.kind, id: c.id, at })));
  }

  private async send(changes: AuthzChange[]): Promise<void> {
    try {
      await Promise.all(
        changes.map(async (c) => {
          const results = await this.redis
            .multi()
            .del(recordKey(c.kind, c.id))
            .incr(generationKey(c.kind, c.id))
            .expire(generationKey(c.kind, c.id), GENERATION_TTL_SECONDS)
            .exec();
          const failed = results?.find(([err]) => err);
          if (!results || failed) throw failed?.[0] ?? new Error('authz change transaction was discarded');
        }),
      );
      await this.redis.publish(authzChannel(this.prefix), JSON.stringify(changes));
    } catch (err) {
      // Bounded: past it, gateways' cache TTLs are the only bound left.
      this.pending = [...this.pending, ...changes].slice(-MAX_PENDING);
      this.onError(err);
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    // A disconnected client (the service is closing) is not retried.
    if (this.retryTimer || this.redis.status === 'end') return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.retryPending();
    }, RETRY_MS);
    this.retryTimer.unref();
  }

  private async retryPending(): Promise<void> {
    if (this.pending.length === 0) return;
    const changes = this.pending;
    this.pending = [];
    await this.send(changes);
  }
}
