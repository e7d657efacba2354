// The bundle client both services run when POLICY_BUNDLE_URL is set: boot on
// the persisted bundle (or a first download), then ask the server again and
// again (fetch.ts) and activate what changed (open.ts, active-policy.ts).
//
// - 304: the bundle in force stays; nothing is loaded.
// - 200: unpacked, verified, loaded and self-tested off the request path, then
//   activated by one assignment and persisted (store.ts). Refused otherwise;
//   its ETag is remembered so the same bad bundle is not fetched again and
//   again (the server is asked for anything newer than it).
// - 200 with the very bytes (SHA-256) of the bundle in force, or of the one
//   last refused: nothing is loaded, activated or refused again. A server
//   without ETags (a bare file server, some S3 setups) sends the whole bundle
//   on every poll; re-activating it would reset activatedAt, clear the
//   gateway's decision memo and POST a status report each time. OPA itself
//   activates every 200; we differ only for identical bytes. The revision is
//   not compared: a bundle rebuilt with other content but the same revision
//   is still a new bundle and is activated.
// - A long-polling server (its Content-Type says so) is asked again at once
//   after it held a request (or sent a new bundle); any other every
//   POLICY_BUNDLE_POLL_SECONDS, jittered down to half of it so a fleet does
//   not poll in step (never later than the interval). So is a long-polling
//   server that answered at once with nothing new (it ignores `Prefer: wait`,
//   or POLICY_BUNDLE_LONG_POLL_SECONDS is 0): asking it again at once would
//   be a busy loop of requests.
// - A server that is down, errs or hangs is a `download` refusal after the
//   request timeout; the next attempt comes one jittered interval later.
import { createHash, type KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import type { PolicyEngine } from '../engine.ts';
import type { ActivePolicy, BundleSource } from './active-policy.ts';
import { fetchBundle } from './fetch.ts';
import { openBundle } from './open.ts';
import { BundleRefused } from './refusal.ts';
import { bundleCacheFolder, BundleStore } from './store.ts';
import { defaultTarballLimits, type TarballLimits } from './tarball.ts';

/** What one request to the server came to. */
type PollOutcome = 'activated' | 'unchanged' | 'failed';

/** A long poll answered sooner than this (or than half the wait asked for) with nothing new was not held. */
const MIN_HELD_MS = 1000;

export interface BundleClientOptions {
  url: string;
  token: string | null;
  key: KeyObject | null;
  pollSeconds: number;
  longPollSeconds: number;
  timeoutMs: number;
  /** Where the last good bundle is kept (in a folder of its URL's, store.ts); null: not persisted (a shadow bundle). */
  cacheDir: string | null;
  log: Logger;
  limits?: TarballLimits;
  /** What the bundle is called in log lines (`policy bundle`, `shadow bundle`). */
  label?: string;
}

export class BundleClient {
  private etag: string | null = null;
  /** null until the server has said whether it long-polls. */
  private longPoll: boolean | null = null;
  private closed = false;
  private active: ActivePolicy | null = null;
  private loop: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private wakeUp: (() => void) | null = null;
  private readonly store: BundleStore | null;
  private readonly label: string;
  /** SHA-256 of the bytes of the bundle in force, and of the last bundle refused (see the header). */
  private activeDigest: string | null = null;
  private refusedDigest: string | null = null;
  /** Why the boot bundle could not be persisted (there is no ActivePolicy to tell yet); told on start(). */
  private bootPersistError: string | null = null;

  constructor(private readonly o: BundleClientOptions) {
    this.store = o.cacheDir === null ? null : new BundleStore(bundleCacheFolder(o.cacheDir, o.url));
    this.label = o.label ?? 'policy bundle';
  }

  /**
   * The bundle to start on: the persisted one if it still opens (and verifies),
   * else a first download. Throws when there is neither: a service does not
   * start without a policy.
   */
  async boot(): Promise<{ engine: PolicyEngine; source: BundleSource }> {
    const stored = await this.store?.load();
    if (stored) {
      try {
        const engine = await openBundle(stored.body, this.openOptions(`persisted ${this.label} in ${this.o.cacheDir}`));
        this.etag = stored.etag;
        this.activeDigest = digest(stored.body);
        this.o.log.info({ revision: engine.revision }, `starting on the persisted ${this.label}; the server is asked next`);
        return { engine, source: 'cache' };
      } catch (err) {
        this.o.log.warn({ error: (err as Error).message }, `persisted ${this.label} refused; downloading`);
      }
    }
    const out = await fetchBundle(this.request(0));
    if (!out.modified) throw new BundleRefused('download', `bundle server answered 304 to a first request`);
    const engine = await openBundle(out.body, this.openOptions(`${this.label} from the server`));
    this.etag = out.etag;
    this.longPoll = out.longPoll;
    this.activeDigest = digest(out.body);
    this.bootPersistError = await this.persist(out.body, out.etag);
    return { engine, source: 'server' };
  }

  /** Polls in the background and activates into `active`; returns at once. */
  start(active: ActivePolicy): void {
    this.active = active;
    if (this.bootPersistError !== null) active.persisted(this.bootPersistError);
    this.loop = this.run();
  }

  /** Ask the server now (SIGHUP), instead of at the end of the current wait. */
  pollNow(): void {
    this.wakeUp?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    this.wakeUp?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const active = this.active!;
    const minHeldMs = Math.min(MIN_HELD_MS, this.o.longPollSeconds * 500);
    while (!this.closed) {
      const started = performance.now();
      const outcome = await this.pollOnce(active);
      if (this.closed) break;
      const held = this.o.longPollSeconds > 0 && performance.now() - started >= minHeldMs;
      const again = this.longPoll === true && (outcome === 'activated' || (outcome === 'unchanged' && held));
      if (!again) await this.sleep(this.o.pollSeconds * 1000 * (0.5 + Math.random() * 0.5));
    }
  }

  /** One request and what follows from it. */
  private async pollOnce(active: ActivePolicy): Promise<PollOutcome> {
    let out;
    try {
      out = await fetchBundle(this.request(this.longPoll === false ? 0 : this.o.longPollSeconds));
    } catch (err) {
      if (this.closed) return 'failed';
      active.requested(false, false);
      this.refuse(active, err);
      return 'failed';
    }
    if (out.longPoll !== null) this.longPoll = out.longPoll;
    if (!out.modified) {
      active.requested(true, false);
      if (out.etag !== null) this.etag = out.etag;
      return 'unchanged';
    }
    active.requested(true, true);
    const bytes = digest(out.body);
    if (bytes === this.activeDigest || bytes === this.refusedDigest) {
      this.etag = out.etag;
      return 'unchanged';
    }
    try {
      const engine = await openBundle(out.body, this.openOptions(`${this.label} from the server`));
      if (this.closed) return 'failed';
      active.activate(engine, 'server');
      this.activeDigest = bytes;
      this.refusedDigest = null;
      this.etag = out.etag;
      this.o.log.info({ revision: engine.revision }, `${this.label} activated`);
      const persistError = await this.persist(out.body, out.etag);
      if (this.store !== null) active.persisted(persistError);
    } catch (err) {
      // Remember the bad bundle's ETag (and bytes, for a server without ETags): the server is asked for the next one, not for it again.
      this.etag = out.etag;
      this.refusedDigest = bytes;
      this.refuse(active, err);
      return 'failed';
    }
    return 'activated';
  }

  private refuse(active: ActivePolicy, err: unknown): void {
    const refused = err instanceof BundleRefused ? err : new BundleRefused('load', (err as Error).message);
    this.o.log.error({ reason: refused.reason, error: refused.message, revision: active.revision }, `${this.label} refused; the last good one stays`);
    active.refuse(refused);
  }

  private request(waitSeconds: number) {
    return {
      url: this.o.url, etag: this.etag, token: this.o.token, waitSeconds, timeoutMs: this.o.timeoutMs,
      maxBytes: (this.o.limits ?? defaultTarballLimits).maxCompressedBytes, signal: this.abort.signal,
    };
  }

  private openOptions(origin: string) {
    return { key: this.o.key, origin, ...(this.o.limits && { limits: this.o.limits }) };
  }

  /** Writes the bundle just activated to the cache folder; the error, or null. Never throws: the bundle is in force either way. */
  private async persist(body: Buffer, etag: string | null): Promise<string | null> {
    try {
      await this.store?.save({ body, etag });
      return null;
    } catch (err) {
      const message = (err as Error).message;
      // An error, not a warning: the service runs, but would not restart without the server.
      this.o.log.error({ err: message, dir: this.o.cacheDir }, `cannot persist the ${this.label}; a restart needs the server`);
      return message;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }
}

function digest(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
