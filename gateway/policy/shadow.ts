// Shadow rollout: a candidate bundle (POLICY_SHADOW_BUNDLE_URL, followed like
// the active one and verified with the same key, or POLICY_SHADOW_DIR) decides
// a sample of requests (POLICY_SHADOW_SAMPLE) beside the active bundle. It is
// never enforced: the request was answered by the active bundle, and the
// shadow evaluation runs later, off the request path (a bounded queue drained
// on setImmediate; a full queue drops and counts). Each disagreement (what a
// caller would see differs: allow, the reasons or a scope, compared as the
// replay compares them, core/policy/decision-diff.ts) is a decision event
// carrying both results and is counted in /metrics:
//   gateway_policy_shadow_decisions_total{result="agree"|"disagree"|"dropped"|"failed"}
//   gateway_policy_shadow_bundle_refused_total{reason}   candidates not taken (as the main bundle's)
//
// The shadow's bundle server is asked with POLICY_SHADOW_BUNDLE_TOKEN, or with
// POLICY_BUNDLE_TOKEN only when it is on POLICY_BUNDLE_URL's origin: a
// candidate served elsewhere never sees the production bundle token. A shadow
// server that is down at boot never blocks the gateway: the first download is
// retried every POLICY_BUNDLE_POLL_SECONDS until it succeeds.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { ActivePolicy } from '../../core/policy/bundle/active-policy.ts';
import { BundleClient } from '../../core/policy/bundle/client.ts';
import { bundleVerificationKey, sameOrigin } from '../../core/policy/bundle/policy-source.ts';
import { refusalCounter } from '../../core/policy/bundle/metrics.ts';
import { BundleRefused, type RefusalReason } from '../../core/policy/bundle/refusal.ts';
import { differences, outcomeOf } from '../../core/policy/decision-diff.ts';
import { PolicyEngine } from '../../core/policy/engine.ts';
import type { DecisionResult } from '../../core/policy/types.ts';
import type { GatewayConfig } from '../config.ts';
import type { DecisionLog } from '../decision-log/queue.ts';
import type { GatewayMetrics } from '../ops/metrics.ts';
import type { Decision } from '../pipeline/decide.ts';
import { decisionInput } from './decider.ts';

interface Pending {
  d: Decision;
  method: string;
  path: string;
  decisionId: string;
}

const MAX_PENDING = 1000;

const outcomes = ['agree', 'disagree', 'dropped', 'failed'] as const;
type Outcome = (typeof outcomes)[number];

export class ShadowPolicy {
  private queue: Pending[] = [];
  private immediate: NodeJS.Immediate | null = null;
  private readonly counts: Record<Outcome, { inc(n?: number): void }>;
  private readonly refused: Counter<'reason'>;
  /** The candidate in force; null while a shadow bundle server has not answered a first download yet. */
  private current: ActivePolicy | null = null;
  private closed = false;
  /** Ends the wait between two first-download attempts (close). */
  private retry: { wake: () => void } | null = null;
  private booting: Promise<void> | null = null;

  private constructor(
    private readonly client: BundleClient | null,
    private readonly sample: number,
    private readonly decisions: DecisionLog,
    private readonly log: Logger,
    metrics: GatewayMetrics,
    private readonly retrySeconds: number,
  ) {
    const counter = new Counter({
      name: 'gateway_policy_shadow_decisions_total',
      help: 'Shadow bundle evaluations by outcome: agree, disagree (logged as a decision event), dropped (queue full), failed',
      labelNames: ['result'] as const,
      registers: [metrics.registry],
    });
    this.counts = Object.fromEntries(outcomes.map((o) => [o, counter.labels(o)])) as ShadowPolicy['counts'];
    for (const o of outcomes) this.counts[o].inc(0);
    this.refused = refusalCounter(
      metrics.registry,
      'gateway_policy_shadow_bundle_refused_total',
      'Shadow bundles refused (the last good candidate stays), by reason: download, verification, load, health',
    );
  }

  /** The shadow bundle as configured, or null when none is. A shadow never blocks the gateway: a folder that does not load is logged and skipped, a server that is down is retried. */
  static async open(config: GatewayConfig, decisions: DecisionLog, log: Logger, metrics: GatewayMetrics): Promise<ShadowPolicy | null> {
    if (config.POLICY_SHADOW_BUNDLE_URL !== undefined) {
      const url = config.POLICY_SHADOW_BUNDLE_URL;
      const client = new BundleClient({
        url,
        token: config.POLICY_SHADOW_BUNDLE_TOKEN
          ?? (sameOrigin(url, config.POLICY_BUNDLE_URL) ? config.POLICY_BUNDLE_TOKEN ?? null : null),
        key: bundleVerificationKey(config.POLICY_BUNDLE_VERIFICATION_KEY),
        pollSeconds: config.POLICY_BUNDLE_POLL_SECONDS,
        longPollSeconds: config.POLICY_BUNDLE_LONG_POLL_SECONDS,
        timeoutMs: config.POLICY_BUNDLE_TIMEOUT_MS,
        cacheDir: null,
        log,
        label: 'shadow bundle',
      });
      const shadow = new ShadowPolicy(client, config.POLICY_SHADOW_SAMPLE, decisions, log, metrics, config.POLICY_BUNDLE_POLL_SECONDS);
      // The first attempt is awaited (a shadow server that is up is in force when the gateway starts); retries run in the background.
      if (!(await shadow.tryBoot(client))) shadow.booting = shadow.retryBoot(client);
      return shadow;
    }
    if (config.POLICY_SHADOW_DIR === undefined) return null;
    try {
      const shadow = new ShadowPolicy(null, config.POLICY_SHADOW_SAMPLE, decisions, log, metrics, 0);
      shadow.current = new ActivePolicy(await PolicyEngine.load(config.POLICY_SHADOW_DIR), 'folder', 'shadow');
      return shadow;
    } catch (err) {
      log.error({ error: (err as Error).message }, 'shadow bundle not loaded; running without shadow evaluation');
      return null;
    }
  }

  /** The candidate in force, or null while its bundle server has not answered a first download. */
  get active(): ActivePolicy | null {
    return this.current;
  }

  /** Called by the admit step for every decision: keeps a sample for later, costs a push. */
  offer(d: Decision, method: string, path: string, decisionId: string): void {
    if (this.current === null) return;
    if (this.sample < 1 && Math.random() >= this.sample) return;
    if (this.queue.length >= MAX_PENDING) {
      this.counts.dropped.inc();
      return;
    }
    this.queue.push({ d, method, path, decisionId });
    this.immediate ??= setImmediate(this.drain);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.queue = [];
    this.retry?.wake();
    // The client first: it aborts a first download in flight, which then ends the retries.
    await this.client?.close();
    await this.booting;
    this.current?.close();
  }

  /** One first download of the candidate; true once it is in force and followed. A failure is counted and logged. */
  private async tryBoot(client: BundleClient): Promise<boolean> {
    try {
      const boot = await client.boot();
      if (this.closed) return true;
      const active = new ActivePolicy(boot.engine, boot.source, 'shadow');
      active.on((e) => {
        if (e.kind === 'refused') this.refused.labels(e.error.reason).inc();
      });
      client.start(active);
      this.current = active;
      return true;
    } catch (err) {
      if (this.closed) return true;
      const reason: RefusalReason = err instanceof BundleRefused ? err.reason : 'load';
      this.refused.labels(reason).inc();
      this.log.error({ reason, error: (err as Error).message, retryInSeconds: this.retrySeconds },
        'shadow bundle not loaded; shadow evaluation starts once it is');
      return false;
    }
  }

  /** A shadow server down at boot: asked again every retrySeconds until it answers (or the gateway closes). */
  private async retryBoot(client: BundleClient): Promise<void> {
    while (!this.closed) {
      await this.sleep(this.retrySeconds * 1000);
      if (this.closed || (await this.tryBoot(client))) break;
    }
    if (this.current !== null) this.log.info({ revision: this.current.revision }, 'shadow bundle loaded; shadow evaluation starts');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.retry = null;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.retry = { wake };
    });
  }

  private readonly drain = () => {
    this.immediate = null;
    const batch = this.queue.splice(0, 64);
    const engine = this.current!.engine;
    for (const p of batch) this.compare(engine, p);
    if (this.queue.length > 0) this.immediate = setImmediate(this.drain);
  };

  private compare(engine: PolicyEngine, p: Pending): void {
    let shadow: DecisionResult;
    try {
      // The plain input (not the hot path's prepared parts, whose parsed values belong to the active engine's wasm).
      shadow = engine.decide(decisionInput(p.d));
    } catch (err) {
      this.counts.failed.inc();
      this.log.warn({ error: (err as Error).message, revision: engine.revision }, 'shadow bundle evaluation failed');
      return;
    }
    if (differences(outcomeOf(p.d.result), outcomeOf(shadow)).length === 0) {
      this.counts.agree.inc();
      return;
    }
    this.counts.disagree.inc();
    if (!this.decisions.wants(false)) return;
    const d = p.d;
    const u = d.principal;
    this.decisions.record({
      decisionId: randomUUID(), now: d.now, revision: d.engine.revision, method: p.method, path: p.path,
      claims: d.claims, user: u.user, role: u.role, session: u.session, merchant: u.merchant,
      module: d.route.module, action: d.action, merchantId: u.named, productId: u.product, gatewayRefId: u.gatewayRef,
      productRequired: d.route.product !== undefined, gatewayRefRequired: d.route.gatewayRef !== undefined,
      facts: u.facts?.json ?? '', result: d.result, handlerNs: 0,
      shadow: { decisionId: p.decisionId, revision: engine.revision, result: shadow },
    });
  }
}
