// POST /email-verifications/confirm {token}: the holder of the link sent to
// the new address completes the change; the old address is told. Unknown,
// used or superseded links are 404, expired ones 410 VERIFICATION_EXPIRED.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ControlPlaneDeps } from '../context/deps.ts';
import { recordAudit } from '../audit/record.ts';
import { OneTimeToken } from '../auth/one-time-token.entity.ts';
import { hashSecret } from '../auth/secret-token.ts';
import { selfActor } from '../auth/self-actor.ts';
import { ApiError, notFound } from '../../core/http/errors.ts';
import { emailChangedNotice } from '../mail/messages.ts';
import { User } from '../users/user.entity.ts';

export async function confirmEmailChange(deps: ControlPlaneDeps, em: EntityManager, token: string, requestId: string) {
  const link = await em.findOne(OneTimeToken, { tokenHash: hashSecret(token), kind: 'EMAIL_VERIFICATION' });
  if (!link || link.usedAt || link.voidedAt) throw notFound('verification');
  if (link.expiresAt <= deps.now()) throw new ApiError(410, 'VERIFICATION_EXPIRED', 'this link has expired; request the change again');
  const newEmail = link.payload['email'];
  const user = await em.findOne(User, link.userId);
  if (!user || typeof newEmail !== 'string') throw notFound('verification');
  if (user.status !== 'ACTIVE') throw new ApiError(409, 'USER_NOT_ACTIVE', 'the user is not active');
  const oldEmail = user.email;
  const now = deps.now();
  const applied = await em.transactional(async (tx) => {
    const used = await tx.nativeUpdate(OneTimeToken, { id: link.id, usedAt: null, voidedAt: null }, { usedAt: now });
    if (used !== 1) return false;
    // The unique index on lower(email) answers 409 CONFLICT if the address was taken meanwhile.
    await tx.nativeUpdate(User, { id: user.id }, { email: newEmail });
    recordAudit(tx, selfActor(user, requestId), {
      action: 'user.email_changed',
      targetType: 'user',
      targetId: user.id,
      before: { email: oldEmail },
      after: { email: newEmail },
    });
    return true;
  });
  if (!applied) throw notFound('verification');
  await deps.mailer.send(emailChangedNotice(oldEmail, newEmail));
  return { id: user.id, email: newEmail };
}
