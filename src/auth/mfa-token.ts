// The short-lived token of an unfinished login (docs/http.md#tokens): it only works
// on the route of its purpose, and only once — the first successful use
// burns its `jti` in Redis, so a captured token cannot open a second session.
import type { ControlPlaneDeps } from '../context/deps.ts';
import { ApiError } from '../../core/http/errors.ts';
import type { MfaClaims } from './claims.ts';

export function verifyMfaToken(deps: ControlPlaneDeps, token: string, purpose: MfaClaims['purpose']): MfaClaims {
  let claims: MfaClaims;
  try {
    claims = deps.signer.verifyMfa(token);
  } catch {
    throw new ApiError(401, 'UNAUTHENTICATED', 'invalid or expired MFA token');
  }
  if (claims.purpose !== purpose) throw new ApiError(401, 'UNAUTHENTICATED', 'this token is not valid here');
  return claims;
}

/** Marks the token used; false if it already was (a concurrent or replayed use). */
export async function burnMfaToken(deps: ControlPlaneDeps, claims: MfaClaims): Promise<boolean> {
  const ttlMs = Math.max(claims.exp * 1000 - Date.now(), 1000) + 10_000;
  const set = await deps.redis.set(`mfa-used:${claims.jti}`, '1', 'PX', ttlMs, 'NX');
  return set === 'OK';
}

export async function isMfaTokenBurnt(deps: ControlPlaneDeps, claims: MfaClaims): Promise<boolean> {
  return (await deps.redis.exists(`mfa-used:${claims.jti}`)) === 1;
}

export const mfaTokenUsed = () => new ApiError(401, 'UNAUTHENTICATED', 'this MFA token has already been used');
