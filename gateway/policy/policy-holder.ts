// The one policy instance of this gateway, hot-reloaded. Either from a bundle
// server (POLICY_BUNDLE_URL: core/policy/bundle/, polled or long-polled, signed
// bundles verified) or from the bundle folder (POLICY_DIR), watched together
// with its parent because the build swaps the whole folder by rename. A new
// bundle is loaded and self-tested off the request path, then swapped in by
// one assignment (core/policy/bundle/active-policy.ts): a request uses the
// engine it read, old or new, never half of each. A bundle that fails to
// download, verify, load or self-test is refused and the last good one keeps
// deciding.
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { PolicyEngine, PolicyError } from '../../core/policy/engine.ts';
import { ActivePolicy, type BundleStatus } from '../../core/policy/bundle/active-policy.ts';
import { registerBundleMetrics } from '../../core/policy/bundle/metrics.ts';
import { openPolicySource, type PolicySource, type PolicySourceConfig } from '../../core/policy/bundle/policy-source.ts';
import { BundleRefused } from '../../core/policy/bundle/refusal.ts';
import type { GatewayMetrics } from '../ops/metrics.ts';

export type ReloadOutcome = 'swapped' | 'unchanged' | 'refused';

export interface ReloadResult {
  outcome: ReloadOutcome;
  revision: string;
  error?: string;
}

export class PolicyHolder {
  private watchers: FSWatcher[] = [];
  private debounce: NodeJS.Timeout | null = null;
  private running: Promise<ReloadResult> | null = null;
  private rerun = false;
  private closed = false;
  /** A file was missing once: retry once before calling the bundle bad. */
  private missingRetried = false;
  private readonly listeners = new Set<(r: ReloadResult) => void>();

  private constructor(
    /** POLICY_DIR (the folder watched when no bundle server is configured). */
    readonly dir: string,
    /** The bundle in force and its history (revision, activation time, last error). */
    readonly active: ActivePolicy,
    private readonly source: PolicySource | null,
    private readonly log: Logger,
    private readonly metrics: GatewayMetrics,
    private readonly debounceMs: number,
  ) {
    metrics.policyInfo.labels(active.revision).set(1);
    registerBundleMetrics(metrics.registry, 'gateway', active);
    active.on((e) => {
      if (e.kind === 'activated') {
        this.metrics.policyInfo.reset();
        this.metrics.policyInfo.labels(e.revision).set(1);
        this.log.info({ revision: e.revision, previous: e.previous, source: e.source }, 'policy bundle swapped');
        this.settled({ outcome: 'swapped', revision: e.revision });
      } else {
        this.settled({ outcome: 'refused', revision: this.active.revision, error: e.error.message });
      }
    });
  }

  /** Loads the bundle in `dir` at boot; a bad bundle throws, and the gateway refuses to start. */
  static async load(dir: string, log: Logger, metrics: GatewayMetrics, debounceMs = 200): Promise<PolicyHolder> {
    return new PolicyHolder(resolve(dir), new ActivePolicy(await PolicyEngine.load(dir), 'folder'), null, log, metrics, debounceMs);
  }

  /**
   * The bundle as configured: from POLICY_BUNDLE_URL (persisted or first
   * download; the client then follows the server) or POLICY_DIR. Throws when
   * there is no good bundle to start on.
   */
  static async open(config: PolicySourceConfig, log: Logger, metrics: GatewayMetrics, o: { debounceMs?: number; instanceId?: string } = {}): Promise<PolicyHolder> {
    const source = await openPolicySource(config, { log, service: 'gateway', ...(o.instanceId && { instanceId: o.instanceId }) });
    return new PolicyHolder(resolve(config.POLICY_DIR), source.active, source, log, metrics, o.debounceMs ?? 200);
  }

  /** The engine deciding now. Read it once per request. */
  get engine(): PolicyEngine {
    return this.active.engine;
  }

  get revision(): string {
    return this.active.revision;
  }

  /** Revision, activation time, source and last error: /readyz details. */
  get status(): Readonly<BundleStatus> {
    return this.active.status;
  }

  /** Whether bundles come from a bundle server (POLICY_BUNDLE_URL) rather than POLICY_DIR. */
  get remote(): boolean {
    return (this.source?.client ?? null) !== null;
  }

  /** Calls `listener` after each reload attempt. */
  onReload(listener: (r: ReloadResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Watches POLICY_DIR; with a bundle server the client follows it instead. */
  watch(): void {
    if (this.remote) return;
    const parent = dirname(this.dir);
    const name = basename(this.dir);
    try {
      const w = watch(parent, (_event, file) => {
        if (file === null || file === name || file.startsWith(`${name}.`)) this.schedule();
      });
      w.on('error', (err) => this.log.warn({ err }, 'policy watch on the bundle parent failed'));
      this.watchers.push(w);
    } catch (err) {
      this.log.warn({ err, dir: parent }, 'cannot watch the policy bundle parent folder');
    }
    this.watchFolder();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.debounce) clearTimeout(this.debounce);
    for (const w of this.watchers) w.close();
    this.watchers = [];
    this.folderWatcher?.close();
    this.folderWatcher = null;
    this.listeners.clear();
    await this.source?.close();
  }

  /** Loads POLICY_DIR now (with a bundle server: asks it now); concurrent calls share one load, and a call during a load runs once more after it. */
  async reload(): Promise<ReloadResult> {
    if (this.remote) {
      this.source!.client!.pollNow();
      return { outcome: 'unchanged', revision: this.revision };
    }
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    this.running = this.loadOnce();
    try {
      let result = await this.running;
      while (this.rerun) {
        this.rerun = false;
        this.running = this.loadOnce();
        result = await this.running;
      }
      return result;
    } finally {
      this.running = null;
    }
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = null;
      void this.reload();
    }, this.debounceMs);
  }

  /** The folder itself: its inode changes on every atomic swap, so its watcher is renewed after each attempt. */
  private folderWatcher: FSWatcher | null = null;

  private watchFolder(): void {
    this.folderWatcher?.close();
    this.folderWatcher = null;
    try {
      const w = watch(this.dir, () => this.schedule());
      w.on('error', () => undefined);
      this.folderWatcher = w;
    } catch {
      // The folder is being swapped; the parent watcher sees the new one.
    }
  }

  private async loadOnce(): Promise<ReloadResult> {
    // Between the build's two renames the folder (or a file of it) does not
    // exist: a swap is under way, not a bad bundle. The rename that completes
    // it fires the watcher again; a bundle still incomplete on the retry
    // after that is refused.
    if (!existsSync(this.dir)) {
      this.log.debug({ dir: this.dir }, 'policy folder missing: a swap is under way');
      return { outcome: 'unchanged', revision: this.revision };
    }
    let next: PolicyEngine;
    try {
      next = await PolicyEngine.load(this.dir);
    } catch (err) {
      const error = (err as Error).message;
      if (/ENOENT/.test(error) && !this.missingRetried) {
        this.missingRetried = true;
        this.schedule();
        return { outcome: 'unchanged', revision: this.revision };
      }
      this.missingRetried = false;
      this.log.error({ revision: this.revision, error }, 'policy bundle refused; the last good bundle stays');
      this.active.refuse(new BundleRefused(err instanceof PolicyError ? err.stage : 'load', error));
      this.rewatch();
      return this.lastResult!;
    }
    this.missingRetried = false;
    if (next.revision === this.revision) {
      this.settled({ outcome: 'unchanged', revision: next.revision });
    } else {
      this.active.activate(next, 'folder');
    }
    this.rewatch();
    return this.lastResult!;
  }

  private lastResult: ReloadResult | null = null;

  /** Every attempt's outcome: counted, and told to the listeners. */
  private settled(result: ReloadResult): void {
    this.lastResult = result;
    this.metrics.policyReloads.labels(result.outcome).inc();
    for (const listener of this.listeners) listener(result);
  }

  private rewatch(): void {
    if (this.watchers.length > 0 && !this.closed) this.watchFolder();
  }
}
