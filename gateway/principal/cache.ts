// Principal records (user, role, session, merchant) for decisions: an
// in-process LRU, then Redis (shared by every gateway), then PostgreSQL.
//
// Correctness rules, in the order they matter:
// - Local copies are trusted only while the change feed is live (`live`:
//   the PostgreSQL LISTEN session and the Redis subscription, see
//   authz-subscriber.ts). When it drops, everything local is flushed and every
//   lookup reads PostgreSQL until it is back (then flushed again), so a change
//   missed during an outage is never served.
// - A change evicts the record and cancels its in-flight load: a request that
//   starts after the eviction never joins a load that began before it.
// - A load that raced an eviction is used by the requests already waiting for
//   it but never stored (its ticket is no longer the in-flight one), and its
//   Redis write-back is conditional on the record's generation (see
//   core/principal/cache-keys.ts).
// - Negative answers (no such row) are kept briefly and only in process.
// - Redis copies carry the time their row was read. After (re)subscribing, a
//   copy read before the subscription is not trusted either: a change may
//   have been committed while this gateway could not hear it and while the
//   control plane could not delete the copy (Redis unreachable for both).
import type { RedisClient } from '../../core/infra/redis.ts';
import { LRUCache } from 'lru-cache';
import type { RowQuery } from '../../core/db/rows.ts';
import type { ChangedRecord } from '../../core/changes/authz-changes.ts';
import { generationKey, RECORD_TTL_SECONDS, recordKey } from '../../core/principal/cache-keys.ts';
import { loadMerchantRecord, loadRoleRecord, loadSessionRecord, loadUserRecord } from '../../core/principal/load.ts';
import type { MerchantRecordCached, RoleRecord, SessionRecord, UserRecord } from '../../core/principal/records.ts';
import type { CacheCounters, GatewayMetrics } from '../ops/metrics.ts';

interface RecordTypes {
  user: UserRecord;
  role: RoleRecord;
  session: SessionRecord;
  merchant: MerchantRecordCached;
}

/** A remembered "no such row". */
const MISSING = Object.freeze({ missing: true });
type Slot<T> = T | typeof MISSING;

/** One load in flight; evicting the record forgets the ticket, so the load's result is not kept. */
interface Ticket<T> {
  promise: Promise<T | null>;
}

interface KindCache<T extends object> {
  kind: ChangedRecord;
  lru: LRUCache<string, Slot<T>>;
  inflight: Map<string, Ticket<T>>;
  load: (rows: RowQuery, id: string) => Promise<T | null>;
  counters: CacheCounters;
}

export interface PrincipalCacheOptions {
  /** Bound on staleness should a change message ever be lost. */
  lruTtlMs?: number;
  lruMax?: number;
  negativeTtlMs?: number;
  /** How long to skip Redis after a failed command, so a sick Redis does not add its timeout to every miss. */
  redisBackoffMs?: number;
  /** Largest clock difference between gateways: Redis copies read less than this after (re)subscribing are not trusted either. */
  clockSkewMs?: number;
}

/** A Redis copy: the time (ms) its row was read from PostgreSQL, then the record's JSON. */
const copyOf = (readAt: number, json: string) => `${readAt}|${json}`;

/** The record of a Redis copy, or null when it predates `trustFrom` (or is not a copy). */
function parseCopy<T>(raw: string, trustFrom: number): T | null {
  const bar = raw.indexOf('|');
  const readAt = bar > 0 ? Number(raw.slice(0, bar)) : NaN;
  if (!(readAt >= trustFrom)) return null;
  return JSON.parse(raw.slice(bar + 1)) as T;
}

/** Loads the conditional write-back script on a client once. */
function withWriteBack(redis: RedisClient): RedisClient & { principalWriteBack: (...args: (string | number)[]) => Promise<number> } {
  const r = redis as RedisClient & { principalWriteBack?: unknown };
  if (typeof r.principalWriteBack !== 'function') {
    redis.defineCommand('principalWriteBack', {
      numberOfKeys: 2,
      // KEYS: record, generation. ARGV: json, generation seen before loading, ttl.
      lua: `if (redis.call('GET', KEYS[2]) or '') == ARGV[2] then
              redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3]) return 1 end
            return 0`,
    });
  }
  return redis as ReturnType<typeof withWriteBack>;
}

export class PrincipalCache {
  private liveChannel = false;
  /** Redis copies whose row was read before this time (ms) are ignored. */
  private trustCopiesFrom = Infinity;
  private redisSkipUntil = 0;
  /** Redis copies are neither read nor written back while a heard change could not be applied to them (principal/shared-copies.ts). */
  private sharedHeld = false;
  private readonly rows: RowQuery;
  private readonly redis: ReturnType<typeof withWriteBack>;
  private readonly caches: { [K in ChangedRecord]: KindCache<RecordTypes[K]> };
  private readonly negativeTtlMs: number;
  private readonly redisBackoffMs: number;
  private readonly clockSkewMs: number;

  constructor(rows: RowQuery, redis: RedisClient, metrics: GatewayMetrics, opts: PrincipalCacheOptions = {}) {
    this.rows = rows;
    this.redis = withWriteBack(redis);
    this.negativeTtlMs = opts.negativeTtlMs ?? 5000;
    this.redisBackoffMs = opts.redisBackoffMs ?? 1000;
    this.clockSkewMs = opts.clockSkewMs ?? 1000;
    const make = <T extends object>(kind: ChangedRecord, load: KindCache<T>['load']): KindCache<T> => ({
      kind,
      lru: new LRUCache<string, Slot<T>>({ max: opts.lruMax ?? 100_000, ttl: opts.lruTtlMs ?? 30_000, updateAgeOnGet: false }),
      inflight: new Map(),
      load,
      counters: metrics.cacheCounters[kind],
    });
    this.caches = {
      user: make('user', loadUserRecord),
      role: make('role', loadRoleRecord),
      session: make('session', loadSessionRecord),
      merchant: make('merchant', loadMerchantRecord),
    };
  }

  /** Whether local copies may be served (the change channel is subscribed). */
  get live(): boolean {
    return this.liveChannel;
  }

  /** Called by the change subscriber. Either way the local copies go. */
  setLive(live: boolean): void {
    this.flush();
    this.liveChannel = live;
    // Whatever was cached before now may have missed a change; rows read from
    // now on (by any gateway whose clock is within clockSkewMs) have not.
    if (live) this.trustCopiesFrom = Date.now() + this.clockSkewMs;
  }

  holdSharedCopies(): void {
    this.sharedHeld = true;
  }

  /** Every heard change is applied to Redis again; with `distrustOlder`, copies read before now stay untrusted. */
  releaseSharedCopies(distrustOlder: boolean): void {
    this.sharedHeld = false;
    if (distrustOlder) this.trustCopiesFrom = Math.max(this.trustCopiesFrom, Date.now() + this.clockSkewMs);
  }

  user(id: string): UserRecord | null | Promise<UserRecord | null> {
    return this.get(this.caches.user, id);
  }

  role(id: string): RoleRecord | null | Promise<RoleRecord | null> {
    return this.get(this.caches.role, id);
  }

  session(id: string): SessionRecord | null | Promise<SessionRecord | null> {
    return this.get(this.caches.session, id);
  }

  merchant(id: string): MerchantRecordCached | null | Promise<MerchantRecordCached | null> {
    return this.get(this.caches.merchant, id);
  }

  evict(kind: ChangedRecord, id: string): void {
    const c = this.caches[kind];
    c.lru.delete(id);
    c.inflight.delete(id);
  }

  flush(): void {
    for (const c of Object.values(this.caches)) {
      c.lru.clear();
      c.inflight.clear();
    }
  }

  /** Cached from the LRU synchronously when possible; a promise only on a miss. */
  private get<T extends object>(c: KindCache<T>, id: string): T | null | Promise<T | null> {
    if (this.liveChannel) {
      const hit = c.lru.get(id);
      if (hit !== undefined) {
        c.counters.lruHit.n++;
        return hit === MISSING ? null : (hit as T);
      }
      c.counters.lruMiss.n++;
    }
    const pending = c.inflight.get(id);
    if (pending) return pending.promise;
    const ticket = {} as Ticket<T>;
    // load() runs to its first await before the ticket is registered; it
    // consults the ticket only after that await.
    ticket.promise = this.load(c, id, ticket);
    c.inflight.set(id, ticket);
    const done = () => {
      if (c.inflight.get(id) === ticket) c.inflight.delete(id);
    };
    ticket.promise.then(done, done);
    return ticket.promise;
  }

  private async load<T extends object>(c: KindCache<T>, id: string, ticket: Ticket<T>): Promise<T | null> {
    // The generation seen before reading PostgreSQL; undefined when Redis was not consulted.
    let generation: string | undefined;
    const readAt = Date.now();
    if (this.liveChannel && !this.sharedHeld && readAt >= this.redisSkipUntil) {
      try {
        const [raw, gen] = await this.redis.mget(recordKey(c.kind, id), generationKey(c.kind, id));
        const record = raw ? parseCopy<T>(raw, this.trustCopiesFrom) : null;
        if (record) {
          c.counters.redisHit.n++;
          this.remember(c, id, record, ticket);
          return record;
        }
        c.counters.redisMiss.n++;
        generation = gen ?? '';
      } catch {
        c.counters.redisError.n++;
        this.redisSkipUntil = Date.now() + this.redisBackoffMs;
      }
    }
    // PostgreSQL errors propagate: the caller answers 503, never allows.
    const record = await c.load(this.rows, id);
    c.counters.postgresLoad.n++;
    if (record && generation !== undefined) {
      this.redis
        .principalWriteBack(recordKey(c.kind, id), generationKey(c.kind, id), copyOf(readAt, JSON.stringify(record)), generation, RECORD_TTL_SECONDS)
        .catch(() => {
          this.redisSkipUntil = Date.now() + this.redisBackoffMs;
        });
    }
    this.remember(c, id, record ?? MISSING, ticket);
    return record;
  }

  private remember<T extends object>(c: KindCache<T>, id: string, value: Slot<T>, ticket: Ticket<T>): void {
    if (!this.liveChannel || c.inflight.get(id) !== ticket) return;
    c.lru.set(id, value, value === MISSING ? { ttl: this.negativeTtlMs } : undefined);
  }
}
