// Reading and accepting a setup link (docs/domain.md#user-lifecycle). A link works once:
// acceptance locks the link's row, checks the password and marks the link
// used in the transaction that sets the password, so of two concurrent
// acceptances the second waits for the first and then finds the link used
// (404), rather than having its password judged against the one just set.
// Voided (resent), used and unknown links are 404; an expired one is 410.
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ControlPlaneDeps } from '../context/deps.ts';
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

/** The link and its user; `lock` (inside a transaction) holds the link's row until it ends. */
async function openInvitation(deps: ControlPlaneDeps, em: EntityManager, token: string, lock = false) {
  const where = { tokenHash: hashSecret(token), kind: 'INVITATION' as const };
  const link = await em.findOne(OneTimeToken, where, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
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
  const { user, status, mfaPending } = await em.transactional(async (tx) => {
    const { link, user, security } = await openInvitation(deps, tx, input.token, true);
    const next = await newPasswordFor(user, input.password, security.passwordPolicy, { email: user.email });
    // With 2FA required the user stays INVITED until enrolment completes.
    const mfaPending = security.mfaRequired && !user.mfaEnrolled;
    const status: UserStatus = mfaPending ? 'INVITED' : 'ACTIVE';
    const now = deps.now();
    const used = await tx.nativeUpdate(OneTimeToken, { id: link.id, usedAt: null, voidedAt: null }, { usedAt: now });
    if (used !== 1) throw notFound('invitation');
    await tx.nativeUpdate(User, { id: user.id, status: 'INVITED' }, { ...next, passwordChangedAt: now, status });
    recordAudit(tx, selfActor(user, requestId), {
      action: 'user.invitation_accepted',
      targetType: 'user',
      targetId: user.id,
      before: { status: 'INVITED' },
      after: { status },
    });
    return { user, status, mfaPending };
  });
  if (status === 'ACTIVE') void deps.changes.publish([{ kind: 'user', id: user.id }]);
  return mfaPending
    ? { status, mfaToken: deps.signer.signMfa({ userId: user.id, tenantId: user.tenantId, purpose: 'setup' }) }
    : { status };
}
