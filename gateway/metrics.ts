// Prometheus metrics of one gateway (its own registry, so several gateways in
// one process never mix). prom-client hashes label sets on every increment,
// so hot-path counters are plain numbers in cells created once per label set
// and copied into their prom-client counters when /metrics is scraped.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ChangedRecord } from '../src/changes/authz-changes.ts';

const kinds: ChangedRecord[] = ['user', 'role', 'session', 'merchant'];

/** One label set's running total. */
export interface Cell {
  n: number;
}

/** A counter whose label sets are cells incremented in place and reported at scrape time. */
class CellCounter<L extends string> {
  private readonly cells = new Map<string, { labels: Record<L, string>; cell: Cell }>();

  constructor(registry: Registry, name: string, help: string, labelNames: readonly L[]) {
    const cells = this.cells;
    new Counter({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const { labels, cell } of cells.values()) this.inc(labels as never, cell.n);
      },
    });
  }

  /** The cell of a label set (create once, keep the reference on the hot path). */
  cell(labels: Record<L, string>): Cell {
    const key = Object.values(labels).join('\u0000');
    let entry = this.cells.get(key);
    if (!entry) this.cells.set(key, (entry = { labels, cell: { n: 0 } }));
    return entry.cell;
  }
}

/** Cells of the principal cache counter for one record kind. */
export interface CacheCounters {
  lruHit: Cell;
  lruMiss: Cell;
  redisHit: Cell;
  redisMiss: Cell;
  redisError: Cell;
  postgresLoad: Cell;
}

export class GatewayMetrics {
  readonly registry = new Registry();

  private readonly requests = new CellCounter(this.registry, 'gateway_requests_total',
    'Requests answered by the proxy route, by route module and status code', ['module', 'status'] as const);

  private readonly decisions = new CellCounter(this.registry, 'gateway_decisions_total',
    'Policy decisions by result and reported reason', ['result', 'reason'] as const);

  private readonly cache = new CellCounter(this.registry, 'gateway_principal_cache_total',
    'Principal record lookups by layer (lru, redis, postgres), record kind and result', ['layer', 'kind', 'result'] as const);

  private readonly tokenCache = new CellCounter(this.registry, 'gateway_token_cache_total',
    'Verified-token cache lookups by result', ['result'] as const);

  private readonly memo = new CellCounter(this.registry, 'gateway_decision_memo_total',
    'Decisions answered from the memo of identical policy inputs (hit) or evaluated (miss)', ['result'] as const);

  readonly decisionSeconds = new Histogram({
    name: 'gateway_decision_duration_seconds',
    help: 'Time to authorize a request: token, principal resolution and policy evaluation',
    buckets: [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25],
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
  readonly tokenCacheHit = this.tokenCache.cell({ result: 'hit' });
  readonly tokenCacheMiss = this.tokenCache.cell({ result: 'miss' });
  readonly memoHit = this.memo.cell({ result: 'hit' });
  readonly memoMiss = this.memo.cell({ result: 'miss' });
  private readonly requestCells = new Map<string, Map<number, Cell>>();
  private readonly decisionCells = new Map<string, Cell>();

  constructor() {
    this.cacheCounters = Object.fromEntries(
      kinds.map((kind) => [
        kind,
        {
          lruHit: this.cache.cell({ layer: 'lru', kind, result: 'hit' }),
          lruMiss: this.cache.cell({ layer: 'lru', kind, result: 'miss' }),
          redisHit: this.cache.cell({ layer: 'redis', kind, result: 'hit' }),
          redisMiss: this.cache.cell({ layer: 'redis', kind, result: 'miss' }),
          redisError: this.cache.cell({ layer: 'redis', kind, result: 'error' }),
          postgresLoad: this.cache.cell({ layer: 'postgres', kind, result: 'load' }),
        },
      ]),
    ) as Record<ChangedRecord, CacheCounters>;
  }

  countRequest(module: string, status: number): void {
    let byStatus = this.requestCells.get(module);
    if (!byStatus) this.requestCells.set(module, (byStatus = new Map()));
    let cell = byStatus.get(status);
    if (!cell) byStatus.set(status, (cell = this.requests.cell({ module, status: String(status) })));
    cell.n++;
  }

  countDecision(allow: boolean, reason: string): void {
    const key = allow ? '' : reason;
    let cell = this.decisionCells.get(key);
    if (!cell) this.decisionCells.set(key, (cell = this.decisions.cell({ result: allow ? 'allow' : 'deny', reason: key })));
    cell.n++;
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }
}
