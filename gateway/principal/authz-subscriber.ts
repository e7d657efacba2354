// The gateway's side of the change feed: it decides when this process may
// trust its cached principal records, and evicts each changed one.
//
// Two sources, one rule. The source that cannot lose a committed change is
// PostgreSQL (principal/change-feed.ts): triggers notify inside the
// mutation's transaction, this gateway LISTENs on a session of its own, and
// on each change it evicts its in-process copy and drops the shared Redis
// copy itself (principal/shared-copies.ts), because the control plane that
// made the change may be dead or cut from Redis. The control plane's Redis
// channel repeats the change after commit; it is kept subscribed, and the
// cache is trusted only while both are live (a Redis outage makes this
// gateway read PostgreSQL, as it always did). Whenever either goes down or
// comes back, the local cache is flushed, so a change published while a
// source was down is never missed.
//
// A connection that is open but slow is no better than a closed one: an
// announcement stuck in it arrives too late to evict anything in time. So
// the subscriber PINGs Redis on its own connection every 200 ms; a PING not
// answered within 200 ms makes the channel not live (flush, PostgreSQL) until
// one is answered in time again. The PostgreSQL session has its own
// heartbeat (change-feed.ts).
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { authzChannel, type AuthzChange, type ChangedRecord } from '../../core/changes/authz-changes.ts';
import { createRedis, type RedisClient, type RedisClientOptions } from '../../core/infra/redis.ts';
import type { GatewayMetrics } from '../ops/metrics.ts';
import type { PrincipalCache } from './cache.ts';
import { PostgresChangeFeed, type ChangeFeedOptions } from './change-feed.ts';
import { SharedCopies } from './shared-copies.ts';

const kinds = new Set<unknown>(['user', 'role', 'session', 'merchant'] satisfies ChangedRecord[]);

/** Which path a change arrived by: PostgreSQL's feed (at COMMIT, the guarantee) or the Redis channel (the control plane's repeat). */
export type ChangePath = 'feed' | 'redis';
export type ChangeListener = (change: AuthzChange, receivedAt: number, via: ChangePath) => void;

export interface HeartbeatOptions {
  /** How often to PING on the subscriber connection. */
  intervalMs?: number;
  /** A PING not answered within this marks the channel slow (not live). */
  timeoutMs?: number;
}

export interface FeedSource {
  /** The LISTEN session's database (a direct session, not through a transaction pooler). */
  databaseUrl: string;
  /** The gateway's command client, to drop shared copies with. */
  sharedRedis: RedisClient;
  options?: ChangeFeedOptions;
}

export class AuthzChangeSubscriber {
  private readonly redis: Redis;
  private readonly feed: PostgresChangeFeed;
  private readonly shared: SharedCopies;
  private readonly channel: string;
  private readonly listeners = new Set<ChangeListener>();
  private readonly liveWaiters = new Set<() => void>();
  private readonly statusListeners = new Set<(live: boolean) => void>();
  private closed = false;
  /** The subscription is confirmed on the current connection. */
  private subscribed = false;
  /** The last PING went unanswered for longer than the timeout. */
  private slow = false;
  private pingInFlight = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly heartbeatMs: number;
  private readonly heartbeatTimeoutMs: number;
  /** Messages applied so far. */
  applied = 0;

  constructor(
    /** REDIS_URL, or REDIS_CLUSTER_NODES on a cluster (one connection to one node: core/infra/redis.ts). */
    target: Pick<RedisClientOptions, 'url' | 'clusterNodes'>,
    prefix: string,
    private readonly cache: PrincipalCache,
    private readonly metrics: GatewayMetrics,
    private readonly log: Logger,
    heartbeat: HeartbeatOptions,
    source: FeedSource,
  ) {
    this.shared = new SharedCopies(source.sharedRedis, cache);
    this.feed = new PostgresChangeFeed(
      source.databaseUrl,
      {
        change: (change) => void this.applyFeed(change),
        status: (_live, why) => this.update(`PostgreSQL feed: ${why}`),
      },
      source.options,
    );
    this.heartbeatMs = heartbeat.intervalMs ?? 200;
    this.heartbeatTimeoutMs = heartbeat.timeoutMs ?? 200;
    this.channel = authzChannel(prefix);
    this.redis = createRedis({ ...target, name: 'gateway-authz-changes', subscriber: true });
    this.redis.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.apply(message);
    });
    this.redis.on('ready', () => void this.subscribe());
    this.redis.on('close', () => {
      this.subscribed = false;
      this.update('connection lost');
    });
  }

  get live(): boolean {
    return this.cache.live;
  }

  /** Connects and waits (bounded) for the first subscription; a Redis that is down is retried in the background. */
  async start(waitMs = 3000): Promise<void> {
    const subscribed = this.whenLive(waitMs);
    this.heartbeat = setInterval(() => this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
    this.feed.start();
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
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.listeners.clear();
    this.statusListeners.clear();
    this.feed.close();
    this.shared.close();
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
    this.subscribed = true;
    this.slow = false;
    this.update('subscribed');
  }

  /** One PING on the subscriber connection (at most one in flight). */
  private beat(): void {
    if (!this.subscribed || this.pingInFlight) return;
    this.pingInFlight = true;
    const sentAt = performance.now();
    const late = setTimeout(() => {
      this.slow = true;
      this.update(`no answer to PING within ${this.heartbeatTimeoutMs} ms`);
    }, this.heartbeatTimeoutMs);
    const answered = (inTime: boolean) => {
      clearTimeout(late);
      this.pingInFlight = false;
      if (inTime && this.slow) {
        this.slow = false;
        this.update('PING answered in time again');
      }
    };
    this.redis.ping().then(
      () => answered(performance.now() - sentAt <= this.heartbeatTimeoutMs),
      () => answered(false),
    );
  }

  /** Live = the PostgreSQL feed is listening, and Redis subscribed on a connection that answers in time. Every change of it flushes the local cache. */
  private update(why: string): void {
    const live = this.feed.live && this.subscribed && !this.slow && !this.closed;
    if (live === this.cache.live) return;
    // Flush after the subscription is confirmed: anything changed before it
    // is reloaded, anything after it arrives as a message.
    this.cache.setLive(live);
    this.metrics.changeChannelUp.set(live ? 1 : 0);
    if (live) {
      this.log.info({ why }, 'authz change channel live; local cache flushed');
      for (const done of [...this.liveWaiters]) done();
    } else if (!this.closed) {
      this.log.warn({ why }, 'authz change channel not live: local cache flushed, deciding from PostgreSQL');
    }
    for (const listener of this.statusListeners) listener(live);
  }

  /**
   * A change heard from PostgreSQL: evict, make the shared copy safe, then
   * evict again (a request between the two could have re-read the old Redis
   * copy), and only then tell listeners it is applied.
   */
  private async applyFeed(change: AuthzChange | 'flush'): Promise<void> {
    if (change === 'flush') {
      this.cache.flush();
      this.shared.distrustAll();
      this.log.warn('authz change feed: a notification named every record; local cache flushed');
      return;
    }
    const receivedAt = Date.now();
    this.cache.evict(change.kind, change.id);
    await this.shared.drop(change.kind, change.id);
    this.cache.evict(change.kind, change.id);
    this.metrics.authzChanges.labels(change.kind).inc();
    this.metrics.changePropagationSeconds.observe(Math.max(0, receivedAt - change.at) / 1000);
    this.applied++;
    for (const listener of this.listeners) listener(change, receivedAt, 'feed');
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
      for (const c of changes) listener(c, receivedAt, 'redis');
    }
  }
}
