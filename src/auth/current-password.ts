// Re-authentication of the signed-in user by its current password, before it
// changes its own password, email or sessions: an access token alone (a
// stolen one) is not enough. The password is a secret worth guessing through
// a stolen session, so it is guarded by the same lockout as login.
import type { ServiceContext } from '../context/service-context.ts';
import { LoginLockout } from '../lockout/login-lockout.ts';
import { verifyPassword } from '../passwords/hashing.ts';
import { User } from '../users/user.entity.ts';
import { accountLocked, invalidCredentials, loginCannotContinue } from './auth-errors.ts';
import { findUserWithSecrets } from './login-user.ts';
import { securityFor, type UserSecurity } from './security-for.ts';

/** The caller with its secrets and security settings, or 401 INVALID_CREDENTIALS / 423 ACCOUNT_LOCKED. */
export async function confirmCurrentPassword(ctx: ServiceContext, password: string): Promise<{ user: User; security: UserSecurity }> {
  const { deps, em } = ctx;
  const user = await findUserWithSecrets(em, ctx.actor.user.id);
  if (!user) throw loginCannotContinue();
  const security = await securityFor(em, user);
  const now = deps.now();
  const lockout = new LoginLockout(deps.redis);
  const slot = await lockout.reserve(user.email, now, security);
  if (!slot.ok) throw accountLocked(slot.lockedUntil);
  if (!(await verifyPassword(user.passwordHash, password, 'current_password'))) {
    const lockedUntil = await lockout.fail(user.email, now, security);
    if (lockedUntil) await em.nativeUpdate(User, { id: user.id }, { lockedUntil });
    throw invalidCredentials();
  }
  await lockout.release(user.email, now);
  return { user, security };
}
