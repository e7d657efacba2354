// Reading and accepting a setup link (docs/domain.md#user-lifecycle). A link works once: it is
// marked used by a conditional UPDATE in the same transaction that sets the
// password, so two concurrent acceptances cannot both pass. Voided (resent),
// used and unknown links are 404; an expired one is 410.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ControlPlaneDeps } from '../app/deps.ts';
import { recordAudit } from '../audit/record.ts';
import { OneTimeToken } from '../auth/one-time-token.entity.ts';
import { findUserWithSecrets } from '../auth/login-user.ts';
import { hashSecret } from '../auth/secret-token.ts';
import { securityFor } from '../auth/security-for.ts';
import { selfActor } from '../auth/self-actor.ts';
import { ApiError, notFound } from '../../core/http/errors.ts';
import { newPasswordFor } from '../passwords/change.ts';
import { describePolicy } from '../passwords/policy.ts';
import { User, type UserStatus } from '../users/user.entity.ts';

async function openInvitation(deps: ControlPlaneDeps, em: EntityManager, token: string) {
  const link = await em.findOne(OneTimeToken, { tokenHash: hashSecret(token), kind: 'INVITATION' });
  if (!link || link.usedAt || link.voidedAt) throw notFound('invitation');
  if (link.expiresAt <= deps.now()) throw new ApiError(410, 'INVITATION_EXPIRED', 'this invitation has expired; ask for a new one');
  const user = await findUserWithSecrets(em, link.userId);
  if (!user || user.status !== 'INVITED') throw notFound('invitation');
  return { link, user, security: await securityFor(em, user) };
}

export async function lookupInvitation(deps: ControlPlaneDeps, em: EntityManager, token: string) {
  const { link, user, security } = await openInvitation(deps, em, token);
  return {
    email: user.email,
    expiresAt: link.expiresAt.toISOString(),
    passwordPolicy: describePolicy(security.passwordPolicy),
    mfaRequired: security.mfaRequired,
  };
}

export async function acceptInvitation(
  deps: ControlPlaneDeps,
  em: EntityManager,
  input: { token: string; password: string },
  requestId: string,
): Promise<{ status: UserStatus; mfaToken?: string }> {
  const { link, user, security } = await openInvitation(deps, em, input.token);
  const next = await newPasswordFor(user, input.password, security.passwordPolicy, { email: user.email });
  // With 2FA required the user stays INVITED until enrolment completes.
  const mfaPending = security.mfaRequired && !user.mfaEnrolled;
  const status: UserStatus = mfaPending ? 'INVITED' : 'ACTIVE';
  const now = deps.now();
  const accepted = await em.transactional(async (tx) => {
    const used = await tx.nativeUpdate(OneTimeToken, { id: link.id, usedAt: null, voidedAt: null }, { usedAt: now });
    if (used !== 1) return false;
    await tx.nativeUpdate(User, { id: user.id, status: 'INVITED' }, { ...next, passwordChangedAt: now, status });
    recordAudit(tx, selfActor(user, requestId), {
      action: 'user.invitation_accepted',
      targetType: 'user',
      targetId: user.id,
      before: { status: 'INVITED' },
      after: { status },
    });
    return true;
  });
  if (!accepted) throw notFound('invitation');
  if (status === 'ACTIVE') await deps.changes.publish([{ kind: 'user', id: user.id }]);
  return mfaPending
    ? { status, mfaToken: deps.signer.signMfa({ userId: user.id, tenantId: user.tenantId, purpose: 'setup' }) }
    : { status };
}
