// TOTP enrolment with a `setup` MFA token (after invitation acceptance, or a
// login that must enrol): setup stores a new secret, sealed, not yet active;
// verify proves the app holds it with one code, activates 2FA, hands out ten
// recovery codes once, makes an invited user ACTIVE and opens a session —
// unless the password has expired: then, as after login + TOTP, no session
// but 403 PASSWORD_EXPIRED with a renewal token (the enrolment itself stays,
// and its recovery codes ride on that answer, as they are shown only once).
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ControlPlaneDeps } from '../context/deps.ts';
import { recordAudit } from '../audit/record.ts';
import { ApiError } from '../../core/http/errors.ts';
import { Tenant } from '../tenants/tenant.entity.ts';
import { newRecoveryCodes } from '../totp/recovery-codes.ts';
import { claimStep } from '../totp/replay.ts';
import { openSecret, sealSecret } from '../totp/secret-box.ts';
import { matchingStep, newTotpSecret, otpauthUrl } from '../totp/totp.ts';
import { User } from '../users/user.entity.ts';
import { loginCannotContinue, totpInvalid, totpReplayed } from './auth-errors.ts';
import { homeContext } from './contexts.ts';
import { passwordExpired } from './login.ts';
import { findUserWithSecrets } from './login-user.ts';
import { burnMfaToken, isMfaTokenBurnt, mfaTokenUsed, verifyMfaToken } from './mfa-token.ts';
import { securityFor } from './security-for.ts';
import { selfActor } from './self-actor.ts';
import { openSession, type TokenPair } from './sessions.ts';

async function enrollingUser(deps: ControlPlaneDeps, em: EntityManager, mfaToken: string) {
  const claims = verifyMfaToken(deps, mfaToken, 'setup');
  if (await isMfaTokenBurnt(deps, claims)) throw mfaTokenUsed();
  const user = await findUserWithSecrets(em, claims.sub);
  const mayEnrol = user && user.tenantId === claims.tid && user.passwordHash !== null && (user.status === 'ACTIVE' || user.status === 'INVITED');
  if (!mayEnrol) throw loginCannotContinue();
  if (user.mfaEnrolled) throw new ApiError(409, 'CONFLICT', 'two-factor authentication is already enrolled');
  return { claims, user };
}

export async function startEnrolment(deps: ControlPlaneDeps, em: EntityManager, mfaToken: string): Promise<{ secret: string; otpauthUrl: string }> {
  const { user } = await enrollingUser(deps, em, mfaToken);
  const secret = newTotpSecret();
  await em.nativeUpdate(User, { id: user.id }, { totpSecretEnc: sealSecret(deps.totpKey, user.id, secret) });
  const tenant = await em.findOne(Tenant, user.tenantId);
  return { secret, otpauthUrl: otpauthUrl(secret, user.email, tenant?.name ?? 'Tenant IAM') };
}

export async function completeEnrolment(
  deps: ControlPlaneDeps,
  em: EntityManager,
  input: { mfaToken: string; code: string },
  requestId: string,
): Promise<TokenPair & { recoveryCodes: string[] }> {
  const { claims, user } = await enrollingUser(deps, em, input.mfaToken);
  if (!user.totpSecretEnc) throw new ApiError(409, 'CONFLICT', 'call /v1/auth/mfa/setup first');
  const now = deps.now();
  // Enrolment failures do not count toward the lockout: the secret was just
  // shown to this caller, there is nothing to guess.
  const step = matchingStep(openSecret(deps.totpKey, user.id, user.totpSecretEnc), input.code.trim(), now);
  if (step === null) throw totpInvalid();
  // Burn first: two concurrent verifications must not both enrol.
  if (!(await burnMfaToken(deps, claims))) throw mfaTokenUsed();
  const recovery = newRecoveryCodes();
  const context = homeContext(user);
  const expired = passwordExpired(deps, user, await securityFor(em, user), { recoveryCodes: recovery.codes });
  const outcome = await em.transactional(async (tx) => {
    if (!(await claimStep(tx, user.id, step))) return null;
    const activated = user.status === 'INVITED';
    await tx.nativeUpdate(User, { id: user.id }, { mfaEnrolled: true, recoveryCodes: recovery.hashes, ...(activated ? { status: 'ACTIVE' as const } : {}) });
    const actor = selfActor(user, requestId, context);
    recordAudit(tx, actor, { action: 'user.mfa_enrolled', targetType: 'user', targetId: user.id, after: { mfaEnrolled: true } });
    if (activated) recordAudit(tx, actor, { action: 'user.activated', targetType: 'user', targetId: user.id, before: { status: 'INVITED' }, after: { status: 'ACTIVE' } });
    if (expired) return { tokens: null, activated };
    const { tokens } = openSession(deps, tx, user, context);
    recordAudit(tx, actor, { action: 'auth.login', targetType: 'user', targetId: user.id, after: { method: 'totp_enrolment' } });
    return { tokens, activated };
  });
  if (!outcome) throw totpReplayed();
  if (outcome.activated) void deps.changes.publish([{ kind: 'user', id: user.id }]);
  if (!outcome.tokens) throw expired ?? loginCannotContinue();
  return { ...outcome.tokens, recoveryCodes: recovery.codes };
}
