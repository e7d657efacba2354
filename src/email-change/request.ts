// PATCH /users/:id/email (docs/domain.md#user-lifecycle; an administrator, never on oneself) and
// POST /me/email (oneself, with the current password): the target must be ACTIVE; nothing
// changes yet — the new address receives a single-use verification link and
// the change applies when it is followed (confirm.ts). A new request voids
// any earlier pending one.
import { randomUUID } from 'node:crypto';
import type { ServiceContext } from '../context/service-context.ts';
import { recordAudit } from '../audit/record.ts';
import { auditActor } from '../auth/authorize.ts';
import { normalizeEmail } from '../auth/auth-errors.ts';
import { OneTimeToken } from '../auth/one-time-token.entity.ts';
import { hashSecret, newSecret } from '../auth/secret-token.ts';
import { ApiError, conflict } from '../../core/http/errors.ts';
import { emailVerificationMail, secretLink } from '../mail/messages.ts';
import { EMAIL_UNAVAILABLE, emailTaken } from '../users/email-unique.ts';
import type { User } from '../users/user.entity.ts';

/** `target`: the user the caller was authorized to change (src/auth/user-target.ts, or the caller re-authenticated). */
export async function requestEmailChange(ctx: ServiceContext, target: User, email: string) {
  const { deps } = ctx;
  if (target.status !== 'ACTIVE') throw new ApiError(409, 'USER_NOT_ACTIVE', 'the user is not active');
  const pendingEmail = normalizeEmail(email);
  if (pendingEmail === target.email.toLowerCase()) throw conflict('CONFLICT', 'that is already the user’s address');
  if (await emailTaken(ctx.em, pendingEmail)) throw conflict('CONFLICT', EMAIL_UNAVAILABLE);

  const now = ctx.now();
  const secret = newSecret();
  const expiresAt = new Date(now.getTime() + deps.config.EMAIL_VERIFICATION_TTL_HOURS * 3600_000);
  await ctx.em.transactional(async (tx) => {
    await tx.nativeUpdate(OneTimeToken, { userId: target.id, kind: 'EMAIL_VERIFICATION', usedAt: null, voidedAt: null }, { voidedAt: now });
    tx.persist(
      tx.create(OneTimeToken, {
        id: randomUUID(),
        kind: 'EMAIL_VERIFICATION',
        userId: target.id,
        tokenHash: hashSecret(secret),
        payload: { email: pendingEmail },
        expiresAt,
        createdAt: now,
      }),
    );
    recordAudit(tx, auditActor(ctx), {
      action: 'user.email_change_requested',
      targetType: 'user',
      targetId: target.id,
      before: { email: target.email },
      after: { pendingEmail },
    });
  });
  await deps.mailer.send(emailVerificationMail(pendingEmail, secretLink(deps.config.PUBLIC_URL, '/email-verifications/confirm', secret), expiresAt));
  return { id: target.id, email: target.email, pendingEmail, expiresAt: expiresAt.toISOString() };
}
