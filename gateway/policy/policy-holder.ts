// The one policy instance of this gateway, hot-reloaded. The bundle folder
// (POLICY_DIR) is watched together with its parent, because the build swaps
// the whole folder by rename. A new bundle is loaded and self-tested off the
// request path, then swapped in by one assignment: a request uses the engine
// it read, old or new, never half of each. A bundle that fails to load is
// refused and the last good one keeps deciding.
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { PolicyEngine } from '../../core/policy/engine.ts';
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
    readonly dir: string,
    /** The engine deciding now. Read it once per request. */
    public engine: PolicyEngine,
    private readonly log: Logger,
    private readonly metrics: GatewayMetrics,
    private readonly debounceMs: number,
  ) {
    metrics.policyInfo.labels(engine.revision).set(1);
  }

  /** Loads the bundle at boot; a bad bundle throws, and the gateway refuses to start. */
  static async load(dir: string, log: Logger, metrics: GatewayMetrics, debounceMs = 200): Promise<PolicyHolder> {
    return new PolicyHolder(resolve(dir), await PolicyEngine.load(dir), log, metrics, debounceMs);
  }

  get revision(): string {
    return this.engine.revision;
  }

  /** Calls `listener` after each reload attempt. */
  onReload(listener: (r: ReloadResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  watch(): void {
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

  close(): void {
    this.closed = true;
    if (this.debounce) clearTimeout(this.debounce);
    for (const w of this.watchers) w.close();
    this.watchers = [];
    this.folderWatcher?.close();
    this.folderWatcher = null;
    this.listeners.clear();
  }

  /** Loads POLICY_DIR now; concurrent calls share one load, and a call during a load runs once more after it. */
  async reload(): Promise<ReloadResult> {
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
      return { outcome: 'unchanged', revision: this.engine.revision };
    }
    let result: ReloadResult;
    try {
      const next = await PolicyEngine.load(this.dir);
      this.missingRetried = false;
      if (next.revision === this.engine.revision) {
        result = { outcome: 'unchanged', revision: next.revision };
      } else {
        const previous = this.engine.revision;
        this.engine = next;
        this.metrics.policyInfo.reset();
        this.metrics.policyInfo.labels(next.revision).set(1);
        this.log.info({ revision: next.revision, previous }, 'policy bundle swapped');
        result = { outcome: 'swapped', revision: next.revision };
      }
    } catch (err) {
      const error = (err as Error).message;
      if (/ENOENT/.test(error) && !this.missingRetried) {
        this.missingRetried = true;
        this.schedule();
        return { outcome: 'unchanged', revision: this.engine.revision };
      }
      this.missingRetried = false;
      this.log.error({ revision: this.engine.revision, error }, 'policy bundle refused; the last good bundle stays');
      result = { outcome: 'refused', revision: this.engine.revision, error };
    }
    if (this.watchers.length > 0 && !this.closed) this.watchFolder();
    this.metrics.policyReloads.labels(result.outcome).inc();
    for (const listener of this.listeners) listener(result);
    return result;
  }
}
