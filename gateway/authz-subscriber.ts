// The gateway's side of the authorization change channel: a dedicated
// subscriber connection that evicts each named record from this process's
// cache. While it is not subscribed the cache is not trusted (PostgreSQL
// answers); once it is subscribed again the cache is flushed and trusted,
// so a change published during the outage is never missed.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { authzChannel, type AuthzChange, type ChangedRecord } from '../src/changes/authz-changes.ts';
import { createRedis } from '../src/infra/redis.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { PrincipalCache } from './principal-cache.ts';

const kinds = new Set<unknown>(['user', 'role', 'session', 'merchant'] satisfies ChangedRecord[]);

export type ChangeListener = (change: AuthzChange, receivedAt: number) => void;

export class AuthzChangeSubscriber {
  private readonly redis: Redis;
  private readonly channel: string;
  private readonly listeners = new Set<ChangeListener>();
  private readonly liveWaiters = new Set<() => void>();
  private readonly statusListeners = new Set<(live: boolean) => void>();
  private closed = false;
  /** Messages applied so far. */
  applied = 0;

  constructor(
    url: string,
    prefix: string,
    private readonly cache: PrincipalCache,
    private readonly metrics: GatewayMetrics,
    private readonly log: Logger,
  ) {
    this.channel = authzChannel(prefix);
    this.redis = createRedis({ url, name: 'gateway-authz-changes', subscriber: true });
    this.redis.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.apply(message);
    });
    this.redis.on('ready', () => void this.subscribe());
    this.redis.on('close', () => this.down());
  }

  get live(): boolean {
    return this.cache.live;
  }

  /** Connects and waits (bounded) for the first subscription; a Redis that is down is retried in the background. */
  async start(waitMs = 3000): Promise<void> {
    const subscribed = this.whenLive(waitMs);
    this.redis.connect().catch(() => {
      this.log.warn('authz change channel: Redis unreachable, deciding from PostgreSQL until it is back');
    });
    await subscribed;
  }

  /** Resolves once subscribed (at once if already), or after `waitMs` either way. */
  whenLive(waitMs = 10_000): Promise<void> {
    if (this.cache.live) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, waitMs);
      timer.unref();
      const waiters = this.liveWaiters;
      waiters.add(done);
      function done() {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      }
    });
  }

  /** Calls `listener` after each applied change (tests wait on it; no polling of timers). */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `listener` whenever the channel goes up (true) or down (false). */
  onStatus(listener: (live: boolean) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.statusListeners.clear();
    this.redis.disconnect();
  }

  private async subscribe(): Promise<void> {
    try {
      await this.redis.subscribe(this.channel);
    } catch (err) {
      this.log.warn({ err }, 'authz change channel: subscribe failed; retrying on reconnect');
      return;
    }
    if (this.closed) return;
    // Flush after the subscription is confirmed: anything changed before it
    // is reloaded, anything after it arrives as a message.
    this.cache.setLive(true);
    this.metrics.changeChannelUp.set(1);
    this.log.info('authz change channel subscribed; local cache flushed');
    for (const done of [...this.liveWaiters]) done();
    for (const listener of this.statusListeners) listener(true);
  }

  private down(): void {
    if (!this.cache.live) return;
    this.cache.setLive(false);
    this.metrics.changeChannelUp.set(0);
    if (!this.closed) this.log.warn('authz change channel lost: local cache flushed, deciding from PostgreSQL');
    for (const listener of this.statusListeners) listener(false);
  }

  private apply(message: string): void {
    const receivedAt = Date.now();
    let changes: AuthzChange[];
    try {
      changes = JSON.parse(message) as AuthzChange[];
      if (!Array.isArray(changes)) throw new Error('not an array');
    } catch {
      // Cannot tell what changed: forget everything rather than guess.
      this.cache.flush();
      this.log.warn('authz change channel: unreadable message; local cache flushed');
      return;
    }
    for (const c of changes) {
      if (!kinds.has(c?.kind) || typeof c.id !== 'string') {
        this.cache.flush();
        continue;
      }
      this.cache.evict(c.kind, c.id);
      this.metrics.authzChanges.labels(c.kind).inc();
      if (typeof c.at === 'number') this.metrics.changePropagationSeconds.observe(Math.max(0, receivedAt - c.at) / 1000);
    }
    this.applied++;
    for (const listener of this.listeners) {
      for (const c of changes) listener(c, receivedAt);
    }
  }
}
