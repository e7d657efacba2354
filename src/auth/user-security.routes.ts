// Administrative security actions on a user (docs/domain.md#user-lifecycle, docs/http.md#routes):
// POST /users/:id/unlock · /revoke-sessions · /reset-mfa · /resend-invitation.
// Each needs `users.update` in the caller's context and a target in scope that
// is not the caller and not above the caller (src/auth/user-target.ts),
// commits with its audit event, and announces ended sessions after commit.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { recordAudit } from '../audit/record.ts';
import { conflict } from '../../core/http/errors.ts';
import { NoBody } from '../http/schemas.ts';
import { invitationMail, issueInvitation } from '../invitations/issue.ts';
import { LoginLockout } from '../lockout/login-lockout.ts';
import { User } from '../users/user.entity.ts';
import { authenticate } from './authenticate.ts';
import { auditActor } from './authorize.ts';
import { announceRevoked, revokeSessions } from './sessions.ts';
import { userToUpdate } from './user-target.ts';
import { serviceContext } from '../app/service-context.ts';

const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const userSecurityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const common = (summary: string) => ({
    preHandler: authenticate,
    schema: { tags: ['users'], summary, security: [{ bearer: [] }], params: Params, body: NoBody },
  });

  app.post('/users/:id/unlock', common('Lift a login lockout'), async (request) => {
    const target = await userToUpdate(serviceContext(request), request.params.id);
    await request.em.transactional(async (tx) => {
      await tx.nativeUpdate(User, { id: target.id }, { lockedUntil: null });
      recordAudit(tx, auditActor(serviceContext(request)), {
        action: 'user.unlock',
        targetType: 'user',
        targetId: target.id,
        before: { lockedUntil: target.lockedUntil?.toISOString() ?? null },
        after: { lockedUntil: null },
      });
    });
    await new LoginLockout(app.deps.redis).reset(target.email);
    return { id: target.id, lockedUntil: null };
  });

  // Not on oneself (SELF_MODIFICATION): "sign out everywhere" is POST /me/revoke-sessions, with the password.
  app.post('/users/:id/revoke-sessions', common('End every session of the user, on every gateway'), async (request) => {
    const target = await userToUpdate(serviceContext(request), request.params.id);
    const revoked = await request.em.transactional(async (tx) => {
      const ids = await revokeSessions(tx, { userId: target.id }, 'revoked_by_admin', app.deps.now());
      recordAudit(tx, auditActor(serviceContext(request)), { action: 'user.sessions_revoked', targetType: 'user', targetId: target.id, after: { sessions: ids.length } });
      return ids;
    });
    await announceRevoked(app.deps, revoked);
    return { id: target.id, revokedSessions: revoked.length };
  });

  // Not on oneself (SELF_MODIFICATION): a stolen session must not be able to strip its victim's second factor.
  app.post('/users/:id/reset-mfa', common('Remove the user’s TOTP and recovery codes; they enrol again at next login'), async (request) => {
    const target = await userToUpdate(serviceContext(request), request.params.id);
    const revoked = await request.em.transactional(async (tx) => {
      await tx.nativeUpdate(User, { id: target.id }, { mfaEnrolled: false, totpSecretEnc: null, recoveryCodes: [] });
      await tx.getConnection().execute('update users set totp_last_step = null where id = ?', [target.id], 'run', tx.getTransactionContext());
      const ids = await revokeSessions(tx, { userId: target.id }, 'mfa_reset', app.deps.now());
      recordAudit(tx, auditActor(serviceContext(request)), {
        action: 'user.mfa_reset',
        targetType: 'user',
        targetId: target.id,
        before: { mfaEnrolled: target.mfaEnrolled },
        after: { mfaEnrolled: false, sessions: ids.length },
      });
      return ids;
    });
    await announceRevoked(app.deps, revoked);
    return { id: target.id, mfaEnrolled: false, revokedSessions: revoked.length };
  });

  app.post('/users/:id/resend-invitation', common('Mail a new setup link; the previous one stops working'), async (request) => {
    const target = await userToUpdate(serviceContext(request), request.params.id);
    if (target.status !== 'INVITED') throw conflict('CONFLICT', 'the user is not waiting for an invitation');
    const issued = await request.em.transactional(async (tx) => {
      const link = await issueInvitation(tx, target, {
        publicUrl: app.deps.config.PUBLIC_URL,
        ttlHours: app.deps.config.INVITATION_TTL_HOURS,
        now: app.deps.now(),
      });
      recordAudit(tx, auditActor(serviceContext(request)), { action: 'user.invitation_resent', targetType: 'user', targetId: target.id, after: { expiresAt: link.expiresAt.toISOString() } });
      return link;
    });
    await app.deps.mailer.send(invitationMail(target.email, issued.link, issued.expiresAt));
    return { id: target.id, expiresAt: issued.expiresAt.toISOString() };
  });
};
