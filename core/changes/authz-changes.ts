// The control plane's second, best-effort path for changes that affect
// authorization: after its transaction commits, it drops the shared Redis
// copies and announces the change on one Redis channel, without holding the
// caller's answer for it. The path that
// cannot lose a committed change is PostgreSQL's (core/changes/feed.ts:
// triggers notify inside the transaction; gateways listen). This one only
// repeats it, and is what a gateway's Redis subscription hears.
// The message names a record, never its contents: receivers reload.
import type { RedisClient } from '../infra/redis.ts';
import type { RecordKind } from '../principal/records.ts';
import { dropSharedCopy } from './shared-copy.ts';

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
   * Callers do not wait for it (`void changes.publish(...)`): the mutation
   * is committed and every gateway heard it from PostgreSQL at COMMIT and
   * dropped the shared copy itself (gateway/principal/change-feed.ts), so
   * an administrator's answer must not sit out a slow Redis or a Cluster
   * failover (up to ~1 s of ioredis retries, core/infra/redis.ts). The
   * returned promise settles once Redis took the announcement or it was
   * queued for retry; it never rejects. A failed publish is logged and
   * retried every 500 ms and when this connection is ready again (a command
   * that timed out on a slow Redis leaves the connection open, so waiting
   * for a reconnect alone could wait forever).
   */
  publish(changes: Omit<AuthzChange, 'at'>[]): Promise<void> {
    if (changes.length === 0) return Promise.resolve();
    const at = Date.now();
    return this.send(changes.map((c) => ({ kind: c.kind, id: c.id, at })));
  }

  private async send(changes: AuthzChange[]): Promise<void> {
    try {
      await Promise.all(changes.map((c) => dropSharedCopy(this.redis, c.kind, c.id)));
      await this.redis.publish(authzChannel(this.prefix), JSON.stringify(changes));
    } catch (err) {
      // Bounded: past it, only the PostgreSQL feed announces these (it always does).
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
