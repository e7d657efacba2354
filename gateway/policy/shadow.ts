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
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { ActivePolicy } from '../../core/policy/bundle/active-policy.ts';
import { BundleClient } from '../../core/policy/bundle/client.ts';
import { bundleVerificationKey } from '../../core/policy/bundle/policy-source.ts';
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

  private constructor(
    readonly active: ActivePolicy,
    private readonly client: BundleClient | null,
    private readonly sample: number,
    private readonly decisions: DecisionLog,
    private readonly log: Logger,
    metrics: GatewayMetrics,
  ) {
    const counter = new Counter({
      name: 'gateway_policy_shadow_decisions_total',
      help: 'Shadow bundle evaluations by outcome: agree, disagree (logged as a decision event), dropped (queue full), failed',
      labelNames: ['result'] as const,
      registers: [metrics.registry],
    });
    this.counts = Object.fromEntries(outcomes.map((o) => [o, counter.labels(o)])) as ShadowPolicy['counts'];
    for (const o of outcomes) this.counts[o].inc(0);
  }

  /** The shadow bundle as configured, or null when none is. A shadow that cannot load at boot is logged and skipped: it never blocks the gateway. */
  static async open(config: GatewayConfig, decisions: DecisionLog, log: Logger, metrics: GatewayMetrics): Promise<ShadowPolicy | null> {
    if (config.POLICY_SHADOW_BUNDLE_URL === undefined && config.POLICY_SHADOW_DIR === undefined) return null;
    try {
      if (config.POLICY_SHADOW_BUNDLE_URL !== undefined) {
        const client = new BundleClient({
          url: config.POLICY_SHADOW_BUNDLE_URL,
          token: config.POLICY_BUNDLE_TOKEN ?? null,
          key: bundleVerificationKey(config.POLICY_BUNDLE_VERIFICATION_KEY),
          pollSeconds: config.POLICY_BUNDLE_POLL_SECONDS,
          longPollSeconds: config.POLICY_BUNDLE_LONG_POLL_SECONDS,
          timeoutMs: config.POLICY_BUNDLE_TIMEOUT_MS,
          cacheDir: null,
          log,
          label: 'shadow bundle',
        });
        const boot = await client.boot();
        const active = new ActivePolicy(boot.engine, boot.source, 'shadow');
        client.start(active);
        return new ShadowPolicy(active, client, config.POLICY_SHADOW_SAMPLE, decisions, log, metrics);
      }
      const engine = await PolicyEngine.load(config.POLICY_SHADOW_DIR!);
      return new ShadowPolicy(new ActivePolicy(engine, 'folder', 'shadow'), null, config.POLICY_SHADOW_SAMPLE, decisions, log, metrics);
    } catch (err) {
      log.error({ error: (err as Error).message }, 'shadow bundle not loaded; running without shadow evaluation');
      return null;
    }
  }

  /** Called by the admit step for every decision: keeps a sample for later, costs a push. */
  offer(d: Decision, method: string, path: string, decisionId: string): void {
    if (this.sample < 1 && Math.random() >= this.sample) return;
    if (this.queue.length >= MAX_PENDING) {
      this.counts.dropped.inc();
      return;
    }
    this.queue.push({ d, method, path, decisionId });
    this.immediate ??= setImmediate(this.drain);
  }

  async close(): Promise<void> {
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.queue = [];
    await this.client?.close();
    this.active.close();
  }

  private readonly drain = () => {
    this.immediate = null;
    const batch = this.queue.splice(0, 64);
    const engine = this.active.engine;
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
