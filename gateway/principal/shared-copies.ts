// A gateway that hears a change from PostgreSQL makes the shared Redis copy
// safe itself (core/changes/shared-copy.ts): the control plane that made the
// change may have died after COMMIT or lost its link to Redis, and then no
// one else would. When this gateway cannot reach Redis either, it stops
// reading Redis copies (its own decisions come from PostgreSQL on a miss)
// until every change it could not apply has been applied, retried every
// 250 ms. So no gateway ever serves a Redis copy older than a change it has
// heard of: each one either dropped the copy or does not read copies.
import type { Redis } from 'ioredis';
import { dropSharedCopy } from '../../core/changes/shared-copy.ts';
import type { ChangedRecord } from '../../core/changes/authz-changes.ts';
import type { PrincipalCache } from './cache.ts';

const RETRY_MS = 250;
/** Past this many unapplied changes, they are forgotten and every older copy is distrusted instead. */
const MAX_PENDING = 100_000;

export class SharedCopies {
  private readonly pending = new Map<string, { kind: ChangedRecord; id: string }>();
  /** Some unapplied changes were forgotten (MAX_PENDING): copies read before recovery are not trusted. */
  private overflowed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly redis: Pick<Redis, 'multi' | 'ping'>,
    private readonly cache: PrincipalCache,
  ) {}

  /** Drops the copy; on failure holds this gateway's Redis reads until it is dropped. Never throws. */
  async drop(kind: ChangedRecord, id: string): Promise<void> {
    try {
      await dropSharedCopy(this.redis, kind, id);
    } catch {
      this.remember(kind, id);
    }
  }

  /** Copies can no longer be enumerated (TRUNCATE): distrust every older one. */
  distrustAll(): void {
    this.cache.holdSharedCopies();
    this.overflowed = true;
    this.scheduleRetry();
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private remember(kind: ChangedRecord, id: string): void {
    this.cache.holdSharedCopies();
    if (this.pending.size >= MAX_PENDING) {
      this.pending.clear();
      this.overflowed = true;
    }
    this.pending.set(`${kind}:${id}`, { kind, id });
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => void this.retry(), RETRY_MS);
    this.retryTimer.unref();
  }

  private async retry(): Promise<void> {
    this.retryTimer = null;
    const batch = [...this.pending.entries()];
    await Promise.all(
      batch.map(async ([key, entry]) => {
        try {
          await dropSharedCopy(this.redis, entry.kind, entry.id);
          // Unless the same record failed again meanwhile (a newer change, still to apply).
          if (this.pending.get(key) === entry) this.pending.delete(key);
        } catch {
          // Still unreachable: kept for the next round.
        }
      }),
    );
    if (this.pending.size > 0) return this.scheduleRetry();
    if (this.overflowed) {
      // Redis must answer before copies written from now on can be trusted.
      const up = await this.redis.ping().then(() => true, () => false);
      if (!up || this.pending.size > 0) return this.scheduleRetry();
      this.overflowed = false;
      this.cache.releaseSharedCopies(true);
      return;
    }
    this.cache.releaseSharedCopies(false);
  }
}
