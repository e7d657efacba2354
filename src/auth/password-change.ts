// Changing a password: by the signed-in user (current password required; the
// user's other sessions end), or with the `password` token a login got for an
// expired password (every session ends, a new one opens).
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ControlPlaneDeps } from '../context/deps.ts';
import type { ServiceContext } from '../context/service-context.ts';
import { recordAudit } from '../audit/record.ts';
import { newPasswordFor } from '../passwords/change.ts';
import { User } from '../users/user.entity.ts';
import { auditActor } from './authorize.ts';
import { confirmCurrentPassword } from './current-password.ts';
import { loginCannotContinue } from './auth-errors.ts';
import { homeContext } from './contexts.ts';
import { findUserWithSecrets } from './login-user.ts';
import { burnMfaToken, isMfaTokenBurnt, mfaTokenUsed, verifyMfaToken } from './mfa-token.ts';
import { securityFor } from './security-for.ts';
import { selfActor } from './self-actor.ts';
import { announceRevoked, openSession, revokeSessions, type TokenPair } from './sessions.ts';

export async function changeOwnPassword(ctx: ServiceContext, input: { currentPassword: string; newPassword: string }): Promise<void> {
  const { deps, em } = ctx;
  const { user, security } = await confirmCurrentPassword(ctx, input.currentPassword);
  const now = ctx.now();
  const next = await newPasswordFor(user, input.newPassword, security.passwordPolicy, { email: user.email });
  const revoked = await em.transactional(async (tx) => {
    await tx.nativeUpdate(User, { id: user.id }, { ...next, passwordChangedAt: now });
    recordAudit(tx, auditActor(ctx), { action: 'user.password_changed', targetType: 'user', targetId: user.id });
    return revokeSessions(tx, { userId: user.id, exceptSessionId: ctx.actor.session.id }, 'password_changed', now);
  });
  void announceRevoked(deps, revoked);
}

export async function renewExpiredPassword(
  deps: ControlPlaneDeps,
  em: EntityManager,
  input: { passwordChangeToken: string; newPassword: string },
  requestId: string,
): Promise<TokenPair> {
  const claims = verifyMfaToken(deps, input.passwordChangeToken, 'password');
  if (await isMfaTokenBurnt(deps, claims)) throw mfaTokenUsed();
  const user = await findUserWithSecrets(em, claims.sub);
  if (!user || user.tenantId !== claims.tid || user.status !== 'ACTIVE') throw loginCannotContinue();
  const security = await securityFor(em, user);
  const next = await newPasswordFor(user, input.newPassword, security.passwordPolicy, { email: user.email });
  if (!(await burnMfaToken(deps, claims))) throw mfaTokenUsed();
  const now = deps.now();
  const context = homeContext(user);
  const { tokens, revoked } = await em.transactional(async (tx) => {
    await tx.nativeUpdate(User, { id: user.id }, { ...next, passwordChangedAt: now });
    const revoked = await revokeSessions(tx, { userId: user.id }, 'password_changed', now);
    const actor = selfActor(user, requestId, context);
    recordAudit(tx, actor, { action: 'user.password_changed', targetType: 'user', targetId: user.id, after: { reason: 'expired' } });
    recordAudit(tx, actor, { action: 'auth.login', targetType: 'user', targetId: user.id, after: { method: 'password_renewal' } });
    return { tokens: openSession(deps, tx, user, context).tokens, revoked };
  });
  void announceRevoked(deps, revoked);
  return tokens;
}
