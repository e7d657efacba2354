// Signs and verifies the control plane's own tokens with fast-jwt (the engine
// under @fastify/jwt). The verifier pins the algorithm, the key (by `kid`),
// issuer, audience and `typ`, so a token of one kind is never accepted as
// another, and checks the shape of the claims the request will look up
// (RFC 8725 §3.10: received claims are input, even when signed).
import { randomUUID } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import type { SigningKey } from '../../core/tokens/keys.ts';
import type { AccessClaims, MfaClaims } from './claims.ts';
import type { ContextType } from '../roles/role.entity.ts';

export interface TokenSettings {
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  mfaTtlSeconds: number;
}

export class TokenSigner {
  private readonly sign: (payload: Record<string, unknown>) => string;
  private readonly verifyComplete: (token: string) => { header: Record<string, unknown>; payload: Record<string, unknown> };

  constructor(
    readonly key: SigningKey,
    readonly settings: TokenSettings,
  ) {
    this.sign = createSigner({ key: key.privatePem, algorithm: 'EdDSA', kid: key.kid, header: { alg: 'EdDSA', typ: 'JWT' } });
    this.verifyComplete = createVerifier({
      key: key.publicPem,
      algorithms: ['EdDSA'],
      allowedIss: settings.issuer,
      allowedAud: settings.audience,
      requiredClaims: ['iss', 'aud', 'sub', 'exp', 'iat', 'jti', 'typ'],
      clockTolerance: 5000,
      complete: true,
    }) as (token: string) => { header: Record<string, unknown>; payload: Record<string, unknown> };
  }

  signAccess(p: { userId: string; tenantId: string; sessionId: string; contextType: ContextType; contextId: string }): string {
    const now = Math.floor(Date.now() / 1000);
    const claims: AccessClaims = {
      iss: this.settings.issuer,
      aud: this.settings.audience,
      sub: p.userId,
      tid: p.tenantId,
      ctx_type: p.contextType,
      ctx_id: p.contextId,
      sid: p.sessionId,
      jti: randomUUID(),
      typ: 'access',
      iat: now,
      exp: now + this.settings.accessTtlSeconds,
    };
    return this.sign({ ...claims });
  }

  signMfa(p: { userId: string; tenantId: string; purpose: MfaClaims['purpose'] }): string {
    const now = Math.floor(Date.now() / 1000);
    const claims: MfaClaims = {
      iss: this.settings.issuer,
      aud: this.settings.audience,
      sub: p.userId,
      tid: p.tenantId,
      jti: randomUUID(),
      typ: 'mfa',
      purpose: p.purpose,
      iat: now,
      exp: now + this.settings.mfaTtlSeconds,
    };
    return this.sign({ ...claims });
  }

  /** A token signed with our key and named by its `kid` (the gateways' JWKS lookup refuses any other name too). */
  private verifyAny(token: string): Record<string, unknown> {
    const { header, payload } = this.verifyComplete(token);
    if (header['kid'] !== this.key.kid) throw new Error('token names another key');
    if (!uuid.test(String(payload['sub']))) throw new Error('token subject is not a user id');
    return payload;
  }

  /** Throws on any fault; the caller answers 401. */
  verifyAccess(token: string): AccessClaims {
    const claims = this.verifyAny(token);
    if (claims['typ'] !== 'access' || !uuid.test(String(claims['sid'])) || !shortText(claims['tid'])
      || !contextTypes.has(claims['ctx_type']) || !shortText(claims['ctx_id'])) {
      throw new Error('not an access token');
    }
    return claims as unknown as AccessClaims;
  }

  verifyMfa(token: string): MfaClaims {
    const claims = this.verifyAny(token);
    if (claims['typ'] !== 'mfa' || !shortText(claims['tid'])) throw new Error('not an MFA token');
    return claims as unknown as MfaClaims;
  }
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const contextTypes = new Set<unknown>(['TENANT', 'RESELLER', 'MERCHANT']);
const shortText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 200;
