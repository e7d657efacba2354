// Changes that affect authorization are announced on one Redis channel after
// their transaction commits; every gateway evicts what it cached for them.
// The message names a record, never its contents: receivers reload.
import type { Redis } from 'ioredis';

export type ChangedRecord = 'user' | 'role' | 'session' | 'merchant';

export interface AuthzChange {
  kind: ChangedRecord;
  id: string;
  /** Commit time (ms), so receivers can report propagation delay. */
  at: number;
}

export const authzChannel = (prefix: string) => `${prefix}authz-changes`;

export class AuthzChangePublisher {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /**
   * Publishes after commit. A failed publish is logged, not thrown: the
   * mutation is committed, and gateways bound staleness by their cache TTL
   * and flush everything when their Redis connection comes back.
   */
  async publish(changes: Omit<AuthzChange, 'at'>[]): Promise<void> {
    if (changes.length === 0) return;
    const at = Date.now();
    try {
      await this.redis.publish(authzChannel(this.prefix), JSON.stringify(changes.map((c) => ({ ...c, at }))));
    } catch (err) {
      this.onError(err);
    }
  }
}
