// Access-token verification for the gateway: EdDSA only, issuer, audience,
// expiry and not-before by fast-jwt against the JWKS key named by `kid`, then
// the access-token shape. A verified token is remembered until it expires, so
// the hot path is one map lookup, not a signature check; revocation never
// relies on this cache (sessions and users are checked on every request).
import { createDecoder } from 'fast-jwt';
import { LRUCache } from 'lru-cache';
import type { ContextType } from '../../core/principal/access.ts';
import { CLOCK_TOLERANCE_MS, type JwksKeys } from './jwks.ts';
import type { Cell } from '../ops/metrics.ts';

export interface GatewayClaims {
  sub: string;
  tid: string;
  sid: string;
  ctx_type: ContextType;
  ctx_id: string;
  jti: string;
  exp: number;
}

interface VerifiedToken {
  claims: GatewayClaims;
  /** ms: past this the token is expired (with the clock tolerance). */
  notAfter: number;
}

export class TokenRejected extends Error {
  override name = 'TokenRejected';
}

const contextTypes = new Set<unknown>(['TENANT', 'RESELLER', 'MERCHANT']);
const decodeHeader = createDecoder({ complete: true }) as (token: string) => { header: { kid?: unknown } };
const MAX_TOKEN_LENGTH = 4096;

/** The token of an `Authorization: Bearer …` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined || header.length < 8 || header.length > MAX_TOKEN_LENGTH) return null;
  if (!header.startsWith('Bearer ') && header.slice(0, 7).toLowerCase() !== 'bearer ') return null;
  const token = header.slice(7).trim();
  return token.length > 0 ? token : null;
}

export class TokenVerifier {
  private readonly verified: LRUCache<string, VerifiedToken>;

  constructor(
    private readonly keys: JwksKeys,
    /** Verified-token cache hits and misses, for /metrics. */
    private readonly stats: { hit: Cell; miss: Cell },
    maxCached = 100_000,
  ) {
    this.verified = new LRUCache({ max: maxCached });
  }

  /** Drops every remembered verification (a key was withdrawn). */
  forgetAll(): void {
    this.verified.clear();
  }

  /** The token's claims; throws TokenRejected on any fault. Synchronous unless the key must be fetched. */
  verify(token: string): GatewayClaims | Promise<GatewayClaims> {
    const hit = this.verified.get(token);
    if (hit !== undefined) {
      if (Date.now() < hit.notAfter) {
        this.stats.hit.n++;
        return hit.claims;
      }
      this.verified.delete(token);
      throw new TokenRejected('token expired');
    }
    this.stats.miss.n++;
    const kid = this.kidOf(token);
    const verify = this.keys.verifier(kid);
    if (verify) return this.check(token, verify);
    return this.keys.refreshForUnknownKid().then(() => {
      const fetched = this.keys.verifier(kid);
      if (!fetched) throw new TokenRejected('unknown signing key');
      return this.check(token, fetched);
    });
  }

  private kidOf(token: string): string {
    let kid: unknown;
    try {
      kid = decodeHeader(token).header.kid;
    } catch {
      throw new TokenRejected('malformed token');
    }
    if (typeof kid !== 'string' || kid.length === 0 || kid.length > 200) throw new TokenRejected('token names no key');
    return kid;
  }

  private check(token: string, verify: (token: string) => Record<string, unknown>): GatewayClaims {
    let payload: Record<string, unknown>;
    try {
      payload = verify(token);
    } catch (err) {
      throw new TokenRejected((err as Error).message);
    }
    const { sub, tid, sid, ctx_type, ctx_id, jti, exp, typ } = payload;
    // `typ` keeps MFA tokens (and anything else the control plane signs) out.
    if (typ !== 'access') throw new TokenRejected('not an access token');
    if (!nonEmpty(sub) || !nonEmpty(tid) || !nonEmpty(sid) || !nonEmpty(ctx_id) || !nonEmpty(jti) || !contextTypes.has(ctx_type)) {
      throw new TokenRejected('access token claims are incomplete');
    }
    // Users and sessions are looked up by these: anything but a UUID names nothing
    // (and must not reach PostgreSQL as a malformed uuid, which would read as an outage).
    if (!uuid.test(sub) || !uuid.test(sid)) throw new TokenRejected('access token names no user or session');
    if (typeof exp !== 'number') throw new TokenRejected('token has no expiry');
    const claims: GatewayClaims = { sub, tid, sid, ctx_type: ctx_type as ContextType, ctx_id, jti, exp };
    this.verified.set(token, { claims, notAfter: exp * 1000 + CLOCK_TOLERANCE_MS });
    return claims;
  }
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200;
