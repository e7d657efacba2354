// The bundle a service decides with now, and what happened to the last ones.
// Activation is one assignment of `engine`: a request reads it once and
// decides with that engine, old or new, never half of each, so a swap never
// fails a request in flight. A refused bundle only records its error: the
// engine in force stays. Listeners (metrics, status reports, logs) hear both.
import type { PolicyEngine } from '../engine.ts';
import type { BundleRefused, RefusalReason } from './refusal.ts';

/** Where an activated bundle came from. */
export type BundleSource = 'folder' | 'server' | 'cache';

export interface BundleError {
  reason: RefusalReason;
  message: string;
  at: Date;
}

export type BundleEvent =
  | { kind: 'activated'; revision: string; previous: string | null; source: BundleSource }
  | { kind: 'refused'; error: BundleError };

export interface BundleStatus {
  /** The bundle's name in status reports and decision logs (OPA's `bundles.authz`). */
  name: string;
  revision: string;
  activatedAt: Date;
  source: BundleSource;
  lastSuccessfulDownload: Date | null;
  lastRequest: Date | null;
  lastSuccessfulRequest: Date | null;
  /** The last refusal since the last activation (null once a bundle activates). */
  lastError: BundleError | null;
  /**
   * Why the bundle in force could not be written to POLICY_BUNDLE_CACHE_DIR
   * (null once one is): the service decides as before, but a restart without
   * the bundle server would not start. Counted in persistFailures.
   */
  persistError: { message: string; at: Date } | null;
  persistFailures: number;
}

export class ActivePolicy {
  private state: BundleStatus;
  private readonly listeners = new Set<(e: BundleEvent, s: Readonly<BundleStatus>) => void>();

  constructor(
    /** The engine deciding now. Read it once per request. */
    public engine: PolicyEngine,
    source: BundleSource,
    name = 'authz',
  ) {
    this.state = {
      name, revision: engine.revision, activatedAt: new Date(), source,
      lastSuccessfulDownload: null, lastRequest: null, lastSuccessfulRequest: null, lastError: null,
      persistError: null, persistFailures: 0,
    };
  }

  get revision(): string {
    return this.engine.revision;
  }

  get status(): Readonly<BundleStatus> {
    return this.state;
  }

  on(listener: (e: BundleEvent, s: Readonly<BundleStatus>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Puts `next` in force (already loaded and checked: nothing here can fail). */
  activate(next: PolicyEngine, source: BundleSource): void {
    const previous = this.engine.revision;
    this.engine = next;
    this.state = { ...this.state, revision: next.revision, activatedAt: new Date(), source, lastError: null };
    this.emit({ kind: 'activated', revision: next.revision, previous, source });
  }

  refuse(err: BundleRefused): void {
    const error = { reason: err.reason, message: err.message, at: new Date() };
    this.state = { ...this.state, lastError: error };
    this.emit({ kind: 'refused', error });
  }

  /** The bundle server answered (`ok`: 200 or 304; `downloaded`: with a new body). */
  requested(ok: boolean, downloaded: boolean): void {
    const now = new Date();
    this.state = {
      ...this.state,
      lastRequest: now,
      ...(ok && { lastSuccessfulRequest: now }),
      ...(downloaded && { lastSuccessfulDownload: now }),
    };
  }

  /** The bundle in force was (`error` null) or could not be persisted. Not an event: nothing about the bundle in force changed. */
  persisted(error: string | null): void {
    this.state = error === null
      ? { ...this.state, persistError: null }
      : { ...this.state, persistError: { message: error, at: new Date() }, persistFailures: this.state.persistFailures + 1 };
  }

  close(): void {
    this.listeners.clear();
  }

  private emit(e: BundleEvent): void {
    for (const l of this.listeners) {
      try {
        l(e, this.state);
      } catch {
        // A listener's fault (a metric, a report) must not undo or block an activation.
      }
    }
  }
}

/** What /readyz says about the bundle in force (both services). */
export function bundleDetails(s: Readonly<BundleStatus>): Record<string, unknown> {
  return {
    revision: s.revision,
    activatedAt: s.activatedAt.toISOString(),
    source: s.source,
    lastSuccessfulDownload: s.lastSuccessfulDownload?.toISOString() ?? null,
    lastError: s.lastError === null ? null : { reason: s.lastError.reason, message: s.lastError.message, at: s.lastError.at.toISOString() },
    persistError: s.persistError === null ? null : { message: s.persistError.message, at: s.persistError.at.toISOString() },
  };
}
