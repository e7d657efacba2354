// Signs and verifies the control plane's own tokens with fast-jwt (the engine
// under @fastify/jwt). The verifier pins the algorithm, issuer, audience and
// `typ`, so a token of one kind is never accepted as another.
import { randomUUID } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import type { SigningKey } from './keys.ts';
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
  private readonly verifyAny: (token: string) => Record<string, unknown>;

  constructor(
    readonly key: SigningKey,
    readonly settings: TokenSettings,
  ) {
    this.sign = createSigner({ key: key.privatePem, algorithm: 'EdDSA', kid: key.kid, header: { alg: 'EdDSA', typ: 'JWT' } });
    this.verifyAny = createVerifier({
      key: key.publicPem,
      algorithms: ['EdDSA'],
      allowedIss: settings.issuer,
      allowedAud: settings.audience,
      requiredClaims: ['iss', 'aud', 'sub', 'exp', 'iat', 'jti', 'typ'],
      clockTolerance: 5000,
    }) as (token: string) => Record<string, unknown>;
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

  /** Throws on any fault; the caller answers 401. */
  verifyAccess(token: string): AccessClaims {
    const claims = this.verifyAny(token);
    if (claims['typ'] !== 'access' || typeof claims['sid'] !== 'string' || typeof claims['tid'] !== 'string') {
      throw new Error('not an access token');
    }
    return claims as unknown as AccessClaims;
  }

  verifyMfa(token: string): MfaClaims {
    const claims = this.verifyAny(token);
    if (claims['typ'] !== 'mfa') throw new Error('not an MFA token');
    return claims as unknown as MfaClaims;
  }
}
