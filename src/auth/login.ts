// Login (docs/domain.md#lockout, docs/http.md#tokens): password, then the second factor when the user has
// one or must enrol one, then a session in the user's home context.
//
// Every refusal before the second factor is the same 401 INVALID_CREDENTIALS:
// unknown email, wrong password, and accounts that may not log in (disabled,
// soft-deleted, invited without a password) alike, after the same argon2 work
// (OWASP Authentication Cheat Sheet). Each of them counts toward the lockout.
//
// Known and unknown addresses are indistinguishable (finding 11): the same
// visible lock for every address (lockout/login-lockout.ts), a tenant's own
// limits enforced silently as the account lock, and the same work in the same
// order — one user lookup of two queries, the settings lookups, the same
// Redis commands, one argon2 verification and, on failure, one audit write.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ControlPlaneDeps } from '../context/deps.ts';
import { recordAudit } from '../audit/record.ts';
import { ApiError } from '../../core/http/errors.ts';
import { LoginLockout } from '../lockout/login-lockout.ts';
import { isPasswordExpired } from '../passwords/change.ts';
import { verifyPassword } from '../passwords/hashing.ts';
import { openSecret } from '../totp/secret-box.ts';
import { consumeRecoveryCode, isRecoveryCodeShaped } from '../totp/recovery-codes.ts';
import { claimStep } from '../totp/replay.ts';
import { matchingStep } from '../totp/totp.ts';
import { User } from '../users/user.entity.ts';
import { accountLocked, invalidCredentials, loginCannotContinue, normalizeEmail, totpInvalid, totpReplayed } from './auth-errors.ts';
import { homeContext } from './contexts.ts';
import { findUserByEmail, findUserWithSecrets, NO_USER } from './login-user.ts';
import { burnMfaToken, isMfaTokenBurnt, mfaTokenUsed, verifyMfaToken } from './mfa-token.ts';
import { defaultUserSecurity, securityFor, type UserSecurity } from './security-for.ts';
import { selfActor } from './self-actor.ts';
import { openSession, type TokenPair } from './sessions.ts';

export type LoginOutcome = TokenPair | { mfaRequired: true; mfaToken: string } | { mfaSetupRequired: true; mfaToken: string };

export async function loginWithPassword(
  deps: ControlPlaneDeps,
  em: EntityManager,
  input: { email: string; password: string },
  requestId: string,
): Promise<LoginOutcome> {
  const email = normalizeEmail(input.email);
  const now = deps.now();
  const user = await findUserByEmail(em, email);
  // An unknown address looks its settings up too (for records that do not exist): the defaults.
  const security = await securityFor(em, user ?? nobody);
  const lockout = new LoginLockout(deps.redis);
  const slot = await lockout.reserve(email, now, visibleLockLimits);
  if (!slot.ok) throw accountLocked(slot.lockedUntil);
  const accountLock = await lockout.accountLockedUntil(email, now);

  const passwordOk = await verifyPassword(user?.passwordHash ?? null, input.password, 'login');
  // A locked account (its own limits, or an administrator's view of it on the row) refuses even
  // the right password, with the same 401 as a wrong one.
  const locked = accountLock !== null || (user?.lockedUntil != null && user.lockedUntil > now);
  if (!user || !passwordOk || locked || (user.status !== 'ACTIVE' && user.status !== 'INVITED')) {
    await recordFailure(deps, lockout, email, user, security, 'password', requestId);
    throw invalidCredentials();
  }

  // An invited user who set a password but has not finished enrolment, or an
  // active user whose 2FA became required (or was reset), enrols now.
  if (user.status === 'INVITED' || (security.mfaRequired && !user.mfaEnrolled)) {
    await lockout.release(email, now);
    return { mfaSetupRequired: true, mfaToken: deps.signer.signMfa({ userId: user.id, tenantId: user.tenantId, purpose: 'setup' }) };
  }
  // An enrolled user always uses the second factor, required or not.
  if (user.mfaEnrolled) {
    // Passing the password does not forgive earlier failures: TOTP guesses
    // keep counting toward the same lock.
    await lockout.release(email, now);
    return { mfaRequired: true, mfaToken: deps.signer.signMfa({ userId: user.id, tenantId: user.tenantId, purpose: 'login' }) };
  }
  await lockout.reset(email);
  return completeLogin(deps, em, user, security, 'password', requestId);
}

export async function loginWithSecondFactor(
  deps: ControlPlaneDeps,
  em: EntityManager,
  input: { mfaToken: string; code: string },
  requestId: string,
): Promise<TokenPair> {
  const claims = verifyMfaToken(deps, input.mfaToken, 'login');
  if (await isMfaTokenBurnt(deps, claims)) throw mfaTokenUsed();
  const user = await findUserWithSecrets(em, claims.sub);
  if (!user || user.tenantId !== claims.tid || user.status !== 'ACTIVE' || !user.mfaEnrolled || !user.totpSecretEnc) {
    throw loginCannotContinue();
  }
  const security = await securityFor(em, user);
  const lockout = new LoginLockout(deps.redis);
  const now = deps.now();
  // The password passed already: the caller knows the account exists, its lock may show.
  if (user.lockedUntil && user.lockedUntil > now) throw accountLocked(user.lockedUntil);
  const slot = await lockout.reserve(user.email, now, visibleLockLimits);
  if (!slot.ok) throw accountLocked(slot.lockedUntil);

  const code = input.code.trim();
  let method: 'totp' | 'recovery_code';
  if (/^\d{6}$/.test(code)) {
    method = 'totp';
    const step = matchingStep(openSecret(deps.totpKey, user.id, user.totpSecretEnc), code, now);
    if (step === null) {
      await recordFailure(deps, lockout, user.email, user, security, 'totp', requestId);
      throw totpInvalid();
    }
    if (!(await claimStep(em, user.id, step))) {
      await recordFailure(deps, lockout, user.email, user, security, 'totp_replayed', requestId);
      throw totpReplayed();
    }
  } else {
    method = 'recovery_code';
    if (!isRecoveryCodeShaped(code) || !(await consumeRecoveryCode(em, user.id, code))) {
      await recordFailure(deps, lockout, user.email, user, security, 'recovery_code', requestId);
      throw totpInvalid();
    }
  }
  if (!(await burnMfaToken(deps, claims))) throw mfaTokenUsed();
  await lockout.reset(user.email);
  return completeLogin(deps, em, user, security, method, requestId);
}

/**
 * Every factor passed: a session in the home context. An expired password
 * (policy `expiryDays`) gets no session but a token to renew it with.
 */
export async function completeLogin(
  deps: ControlPlaneDeps,
  em: EntityManager,
  user: User,
  security: UserSecurity,
  method: string,
  requestId: string,
): Promise<TokenPair> {
  const expired = passwordExpired(deps, user, security);
  if (expired) throw expired;
  const context = homeContext(user);
  return em.transactional(async (tx) => {
    const { tokens } = openSession(deps, tx, user, context);
    if (user.lockedUntil) await tx.nativeUpdate(User, { id: user.id }, { lockedUntil: null });
    recordAudit(tx, selfActor(user, requestId, context), { action: 'auth.login', targetType: 'user', targetId: user.id, after: { method } });
    return tokens;
  });
}

/**
 * The refusal for a user whose password has expired (policy `expiryDays`),
 * carrying the only token it may use: POST /v1/auth/password/renew. Every
 * path that would open a session asks this after its last factor passed.
 */
export function passwordExpired(
  deps: ControlPlaneDeps,
  user: Pick<User, 'id' | 'tenantId' | 'passwordChangedAt'>,
  security: UserSecurity,
  extra: Record<string, unknown> = {},
): ApiError | null {
  if (!isPasswordExpired(user.passwordChangedAt, security.passwordPolicy, deps.now())) return null;
  return new ApiError(403, 'PASSWORD_EXPIRED', 'the password has expired; set a new one with POST /v1/auth/password/renew', {
    passwordChangeToken: deps.signer.signMfa({ userId: user.id, tenantId: user.tenantId, purpose: 'password' }),
    ...extra,
  });
}

/**
 * A reserved attempt failed: it stays counted on the visible lock and on the
 * account lock (the user's own limits; the defaults for an unknown address),
 * and the account's lock is mirrored onto the user row so it survives a
 * Redis flush and shows in the user's record. Every failure is audited: an
 * existing user's in its tenant, an unknown address's as an installation
 * event (no tenant, the address only as a hash) — the same one write either
 * way, which also keeps the two equally fast.
 */
async function recordFailure(
  deps: ControlPlaneDeps,
  lockout: LoginLockout,
  email: string,
  user: User | null,
  security: UserSecurity,
  factor: string,
  requestId: string,
): Promise<void> {
  const now = deps.now();
  const [visibleLock, accountLock] = await Promise.all([lockout.fail(email, now, visibleLockLimits), lockout.failAccount(email, now, security)]);
  const lockedUntil = [visibleLock, accountLock].reduce<Date | null>((a, b) => (b && (!a || b > a) ? b : a), null);
  await deps.orm.em.fork().transactional(async (tx) => {
    if (!user) {
      recordAudit(tx, { tenantId: INSTALLATION, actorId: null, contextType: null, contextId: null, requestId }, {
        action: 'auth.login_failed',
        targetType: 'login',
        targetId: LoginLockout.key(email),
        after: { factor, lockedUntil: lockedUntil?.toISOString() ?? null },
      });
      return;
    }
    if (lockedUntil) await tx.nativeUpdate(User, { id: user.id }, { lockedUntil });
    recordAudit(tx, selfActor(user, requestId), {
      action: 'auth.login_failed',
      targetType: 'user',
      targetId: user.id,
      after: { factor, lockedUntil: lockedUntil?.toISOString() ?? null },
    });
  });
}

/** The visible lock (423) is the same for every address: the installation's defaults. */
const visibleLockLimits = { maxLoginAttempts: defaultUserSecurity.maxLoginAttempts, lockoutMinutes: defaultUserSecurity.lockoutMinutes };

/** Audit events about no tenant (failed logins of unknown addresses) carry this tenant id, which no tenant has. */
const INSTALLATION = '';

/** Settings lookups for an unknown address: every layer is looked up, none exists. */
const nobody = { tenantId: '', resellerId: '-', merchantId: '-', roleId: NO_USER };
