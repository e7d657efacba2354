// The control plane's public keys (its /.well-known/jwks.json), one fast-jwt
// verifier per `kid`. Fetched at boot, refreshed on a timer and when a token
// names a key we do not know (a rotation), at most once per interval so a
// stream of made-up `kid`s cannot turn into a stream of fetches.
import { createVerifier } from 'fast-jwt';
import { publicKeyFromJwk } from '../../core/tokens/keys.ts';

export type VerifyFn = (token: string) => Record<string, unknown>;

export interface JwksOptions {
  url: string;
  issuer: string;
  audience: string;
  /** Least time between two fetches caused by unknown `kid`s. */
  minRefetchMs?: number;
  /** Scheduled refresh, so a key the control plane withdrew stops verifying. */
  refreshMs?: number;
  /** Called when the key set changes (cached verifications must go). */
  onChange?: () => void;
  onError?: (err: unknown) => void;
}

/** Claims every access token must carry (docs/http.md#tokens). */
export const requiredClaims = ['iss', 'aud', 'sub', 'exp', 'iat', 'jti', 'typ', 'sid', 'tid', 'ctx_type', 'ctx_id'];

/** Allowed clock skew between the control plane and a gateway. */
export const CLOCK_TOLERANCE_MS = 5000;

export class JwksKeys {
  private verifiers = new Map<string, { pem: string; verify: VerifyFn }>();
  private inflight: Promise<void> | null = null;
  private lastUnknownKidFetch = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Fetches so far (tests check the rate limit with it). */
  fetches = 0;

  constructor(private readonly opts: JwksOptions) {}

  get size(): number {
    return this.verifiers.size;
  }

  verifier(kid: string): VerifyFn | undefined {
    return this.verifiers.get(kid)?.verify;
  }

  /** First fetch; on failure keeps retrying in the background (the gateway is not ready until keys arrive). */
  async start(): Promise<void> {
    await this.refresh().catch((err: unknown) => this.opts.onError?.(err));
    const every = this.opts.refreshMs ?? 5 * 60_000;
    const tick = () => {
      if (this.stopped) return;
      const delay = this.verifiers.size === 0 ? 2000 : every;
      this.timer = setTimeout(() => {
        void this.refresh()
          .catch((err: unknown) => this.opts.onError?.(err))
          .finally(tick);
      }, delay);
      this.timer.unref();
    };
    tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** A token named a `kid` we lack: refetch, unless one such refetch happened recently. */
  async refreshForUnknownKid(): Promise<void> {
    if (this.inflight) return this.inflight;
    const now = Date.now();
    if (now - this.lastUnknownKidFetch < (this.opts.minRefetchMs ?? 10_000)) return;
    this.lastUnknownKidFetch = now;
    await this.refresh().catch((err: unknown) => this.opts.onError?.(err));
  }

  refresh(): Promise<void> {
    this.inflight ??= this.fetchKeys().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async fetchKeys(): Promise<void> {
    this.fetches++;
    const res = await fetch(this.opts.url, { signal: AbortSignal.timeout(3000), headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`JWKS ${this.opts.url} answered ${res.status}`);
    const body = (await res.json()) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new Error(`JWKS ${this.opts.url} has no keys array`);
    const next = new Map<string, { pem: string; verify: VerifyFn }>();
    for (const jwk of body.keys as Record<string, unknown>[]) {
      // Only Ed25519 signing keys: the algorithm allow-list starts here.
      if (typeof jwk['kid'] !== 'string' || (jwk['alg'] !== undefined && jwk['alg'] !== 'EdDSA')) continue;
      if (jwk['use'] !== undefined && jwk['use'] !== 'sig') continue;
      let pem: string;
      try {
        pem = publicKeyFromJwk(jwk).export({ format: 'pem', type: 'spki' }).toString();
      } catch {
        continue;
      }
      const old = this.verifiers.get(jwk['kid']);
      if (old?.pem === pem) {
        next.set(jwk['kid'], old);
        continue;
      }
      const verify = createVerifier({
        key: pem,
        algorithms: ['EdDSA'],
        allowedIss: this.opts.issuer,
        allowedAud: this.opts.audience,
        requiredClaims,
        clockTolerance: CLOCK_TOLERANCE_MS,
      }) as VerifyFn;
      next.set(jwk['kid'], { pem, verify });
    }
    // A withdrawn or replaced key: tokens verified with it must be checked again.
    const removed = [...this.verifiers].some(([kid, v]) => next.get(kid) !== v);
    this.verifiers = next;
    if (removed) this.opts.onChange?.();
  }
}
