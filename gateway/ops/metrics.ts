// Prometheus metrics of one gateway (its own registry, so several gateways in
// one process never mix). prom-client hashes label sets on every increment,
// so hot-path counters are plain numbers in cells created once per label set
// and copied into their prom-client counters when /metrics is scraped.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ChangedRecord } from '../../core/changes/authz-changes.ts';

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

/** One label set of a CellHistogram: bucket counts incremented in place. */
export class HistogramCell {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(private readonly upper: readonly number[]) {
    this.counts = new Float64Array(upper.length);
  }

  observe(value: number): void {
    const u = this.upper;
    let i = 0;
    while (i < u.length && value > u[i]!) i++;
    if (i < u.length) this.counts[i]! += 1;
    this.sum += value;
    this.count++;
  }
}

/**
 * A histogram whose observations are array increments (prom-client's hash
 * their labels and allocate on every observe: a few µs per request on the
 * hot path); it is rendered in Prometheus' histogram form at scrape time.
 */
class CellHistogram {
  private readonly cells = new Map<string, { labels: Record<string, string>; cell: HistogramCell }>();

  constructor(registry: Registry, name: string, help: string, private readonly labelNames: readonly string[], private readonly buckets: readonly number[]) {
    const cells = this.cells;
    const values = () =>
      [...cells.values()].flatMap(({ labels, cell }) => {
        let acc = 0;
        return [
          ...buckets.map((le, i) => ({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: (acc += cell.counts[i]!) })),
          { metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: cell.count },
          { metricName: `${name}_sum`, labels, value: cell.sum },
          { metricName: `${name}_count`, labels, value: cell.count },
        ];
      });
    const metric = { name, help, type: 'histogram', aggregator: 'sum', get: async () => ({ name, help, type: 'histogram', aggregator: 'sum', values: values() }), reset: () => undefined };
    registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** The cell of a label set, values in label-name order (create once, keep it on the hot path). */
  labels(...values: string[]): HistogramCell {
    const key = values.join('\u0000');
    let entry = this.cells.get(key);
    if (!entry) {
      const labels = Object.fromEntries(this.labelNames.map((n, i) => [n, values[i] ?? '']));
      this.cells.set(key, (entry = { labels, cell: new HistogramCell(this.buckets) }));
    }
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

  readonly decisionSeconds = new CellHistogram(this.registry, 'gateway_decision_duration_seconds',
    'Time to authorize a request: token, principal resolution and policy evaluation', [],
    [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25]).labels();

  /** Per route module: `upstreamSeconds.labels(module)`, once per route. */
  readonly upstreamSeconds = new CellHistogram(this.registry, 'gateway_upstream_duration_seconds',
    'Time from forwarding a request to the upstream response headers, by route module', ['module'],
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10]);

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
