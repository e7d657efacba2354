// Prometheus metrics of one gateway (its own registry, so several gateways in
// one process never mix). Hot-path counters are bound to their labels once:
// counting a request is a property lookup and an add, not a label hash.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ChangedRecord } from '../src/changes/authz-changes.ts';

const kinds: ChangedRecord[] = ['user', 'role', 'session', 'merchant'];

/** Pre-bound children of the principal cache counter, per record kind. */
export interface CacheCounters {
  lruHit: Counter.Internal;
  lruMiss: Counter.Internal;
  redisHit: Counter.Internal;
  redisMiss: Counter.Internal;
  redisError: Counter.Internal;
  postgresLoad: Counter.Internal;
}

export class GatewayMetrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'gateway_requests_total',
    help: 'Requests answered by the proxy route, by route module and status code',
    labelNames: ['module', 'status'] as const,
    registers: [this.registry],
  });

  readonly decisions = new Counter({
    name: 'gateway_decisions_total',
    help: 'Policy decisions by result and first reason',
    labelNames: ['result', 'reason'] as const,
    registers: [this.registry],
  });

  readonly decisionSeconds = new Histogram({
    name: 'gateway_decision_duration_seconds',
    help: 'Time to authorize a request: token, principal resolution and policy evaluation',
    buckets: [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25],
    registers: [this.registry],
  });

  readonly cache = new Counter({
    name: 'gateway_principal_cache_total',
    help: 'Principal record lookups by layer (lru, redis, postgres), record kind and result',
    labelNames: ['layer', 'kind', 'result'] as const,
    registers: [this.registry],
  });

  readonly tokenCache = new Counter({
    name: 'gateway_token_cache_total',
    help: 'Verified-token cache lookups by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly upstreamSeconds = new Histogram({
    name: 'gateway_upstream_duration_seconds',
    help: 'Time from forwarding a request to the upstream response headers, by route module',
    labelNames: ['module'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });

  readonly upstreamErrors = new Counter({
    name: 'gateway_upstream_errors_total',
    help: 'Upstream failures by route module and answer (502, 504)',
    labelNames: ['module', 'status'] as const,
    registers: [this.registry],
  });

  readonly authzChanges = new Counter({
    name: 'gateway_authz_changes_total',
    help: 'Authorization change messages applied, by record kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly changePropagationSeconds = new Histogram({
    name: 'gateway_authz_change_propagation_seconds',
    help: 'Time from the control plane publishing a change to this gateway evicting it',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly changeChannelUp = new Gauge({
    name: 'gateway_change_channel_up',
    help: '1 while subscribed to the authorization change channel (local caches trusted), else 0',
    registers: [this.registry],
  });

  readonly policyReloads = new Counter({
    name: 'gateway_policy_reloads_total',
    help: 'Policy bundle reload attempts by outcome (swapped, unchanged, refused)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly policyInfo = new Gauge({
    name: 'gateway_policy_info',
    help: 'The loaded policy bundle revision (value 1)',
    labelNames: ['revision'] as const,
    registers: [this.registry],
  });

  readonly cacheCounters: Record<ChangedRecord, CacheCounters>;
  private readonly requestChildren = new Map<string, Map<number, Counter.Internal>>();
  private readonly decisionChildren = new Map<string, Counter.Internal>();
  private readonly syncBeforeScrape: (() => void)[] = [];

  constructor() {
    this.cacheCounters = Object.fromEntries(
      kinds.map((kind) => [
        kind,
        {
          lruHit: this.cache.labels('lru', kind, 'hit'),
          lruMiss: this.cache.labels('lru', kind, 'miss'),
          redisHit: this.cache.labels('redis', kind, 'hit'),
          redisMiss: this.cache.labels('redis', kind, 'miss'),
          redisError: this.cache.labels('redis', kind, 'error'),
          postgresLoad: this.cache.labels('postgres', kind, 'load'),
        },
      ]),
    ) as Record<ChangedRecord, CacheCounters>;
  }

  countRequest(module: string, status: number): void {
    let byStatus = this.requestChildren.get(module);
    if (!byStatus) this.requestChildren.set(module, (byStatus = new Map()));
    let child = byStatus.get(status);
    if (!child) byStatus.set(status, (child = this.requests.labels(module, String(status))));
    child.inc();
  }

  countDecision(allow: boolean, reason: string): void {
    const key = allow ? 'allow' : reason;
    let child = this.decisionChildren.get(key);
    if (!child) this.decisionChildren.set(key, (child = this.decisions.labels(allow ? 'allow' : 'deny', allow ? '' : reason)));
    child.inc();
  }

  /** Token cache stats live in the verifier as plain numbers; they are copied in at scrape time. */
  trackTokenCache(stats: { hits: number; misses: number }): void {
    let seen = { hits: 0, misses: 0 };
    this.syncBeforeScrape.push(() => {
      this.tokenCache.labels('hit').inc(stats.hits - seen.hits);
      this.tokenCache.labels('miss').inc(stats.misses - seen.misses);
      seen = { ...stats };
    });
  }

  async render(): Promise<string> {
    for (const sync of this.syncBeforeScrape) sync();
    return this.registry.metrics();
  }
}
