// Administrative security actions on a user (docs/domain.md#user-lifecycle):
// lift a lockout, end every session, reset TOTP, mail a new setup link. Each
// acts on a target `userToUpdate` admits (user-target.ts), commits its change
// with its audit event in one transaction, and only after the commit touches
// what lives outside PostgreSQL (the Redis lockout counter, the gateways'
// revocation announcement, the mail): a rolled-back action leaves none of them.
import type { ServiceContext } from '../context/service-context.ts';
import { recordAudit } from '../audit/record.ts';
import { conflict } from '../../core/http/errors.ts';
import { invitationMail, issueInvitation } from '../invitations/issue.ts';
import { LoginLockout } from '../lockout/login-lockout.ts';
import { User } from '../users/user.entity.ts';
import { auditActor } from './authorize.ts';
import { announceRevoked, revokeSessions } from './sessions.ts';
import { userToUpdate } from './user-target.ts';

/** Clears the stored lockout and the Redis failure counter of the user's email. */
export async function unlockUser(ctx: ServiceContext, id: string): Promise<{ id: string; lockedUntil: null }> {
  const target = await userToUpdate(ctx, id);
  await ctx.em.transactional(async (tx) => {
    await tx.nativeUpdate(User, { id: target.id }, { lockedUntil: null });
    recordAudit(tx, auditActor(ctx), {
      action: 'user.unlock',
      targetType: 'user',
      targetId: target.id,
      before: { lockedUntil: target.lockedUntil?.toISOString() ?? null },
      after: { lockedUntil: null },
    });
  });
  await new LoginLockout(ctx.deps.redis).reset(target.email);
  return { id: target.id, lockedUntil: null };
}

/** Ends every session of the user and announces them to the gateways. */
export async function revokeUserSessions(ctx: ServiceContext, id: string): Promise<{ id: string; revokedSessions: number }> {
  const target = await userToUpdate(ctx, id);
  const revoked = await ctx.em.transactional(async (tx) => {
    const ids = await revokeSessions(tx, { userId: target.id }, 'revoked_by_admin', ctx.now());
    recordAudit(tx, auditActor(ctx), { action: 'user.sessions_revoked', targetType: 'user', targetId: target.id, after: { sessions: ids.length } });
    return ids;
  });
  void announceRevoked(ctx.deps, revoked);
  return { id: target.id, revokedSessions: revoked.length };
}

/**
 * Removes the user's TOTP secret, recovery codes and last used step (a new
 * enrolment's first code must not be refused as a replay), and ends its sessions.
 */
export async function resetUserMfa(ctx: ServiceContext, id: string): Promise<{ id: string; mfaEnrolled: false; revokedSessions: number }> {
  const target = await userToUpdate(ctx, id);
  const revoked = await ctx.em.transactional(async (tx) => {
    await tx.nativeUpdate(User, { id: target.id }, { mfaEnrolled: false, totpSecretEnc: null, recoveryCodes: [] });
    await tx.getConnection().execute('update users set totp_last_step = null where id = ?', [target.id], 'run', tx.getTransactionContext());
    const ids = await revokeSessions(tx, { userId: target.id }, 'mfa_reset', ctx.now());
    recordAudit(tx, auditActor(ctx), {
      action: 'user.mfa_reset',
      targetType: 'user',
      targetId: target.id,
      before: { mfaEnrolled: target.mfaEnrolled },
      after: { mfaEnrolled: false, sessions: ids.length },
    });
    return ids;
  });
  void announceRevoked(ctx.deps, revoked);
  return { id: target.id, mfaEnrolled: false, revokedSessions: revoked.length };
}

/** A new setup link for an INVITED user (409 CONFLICT otherwise); issuing it voids the previous one. */
export async function resendInvitation(ctx: ServiceContext, id: string): Promise<{ id: string; expiresAt: string }> {
  const target = await userToUpdate(ctx, id);
  if (target.status !== 'INVITED') throw conflict('CONFLICT', 'the user is not waiting for an invitation');
  const issued = await ctx.em.transactional(async (tx) => {
    const link = await issueInvitation(tx, target, {
      publicUrl: ctx.deps.config.PUBLIC_URL,
      ttlHours: ctx.deps.config.INVITATION_TTL_HOURS,
      now: ctx.now(),
    });
    recordAudit(tx, auditActor(ctx), { action: 'user.invitation_resent', targetType: 'user', targetId: target.id, after: { expiresAt: link.expiresAt.toISOString() } });
    return link;
  });
  await ctx.deps.mailer.send(invitationMail(target.email, issued.link, issued.expiresAt));
  return { id: target.id, expiresAt: issued.expiresAt.toISOString() };
}
