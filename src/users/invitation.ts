// An invited user: the row and its setup link in the caller's transaction,
// the mail after commit (a rolled-back invite never mails anyone).
import { randomUUID } from 'node:crypto';
import type { ServiceContext } from '../context/service-context.ts';
import { invitationMail, issueInvitation, type IssuedLink } from '../invitations/issue.ts';
import { User } from './user.entity.ts';

export type InvitedUserFields = Pick<User, 'email' | 'type' | 'resellerId' | 'merchantId' | 'roleId' | 'merchantsAccess' | 'productIds' | 'gatewayRefIds'>;

/** In `tx.em`'s transaction. */
export async function persistInvitedUser(tx: ServiceContext, fields: InvitedUserFields): Promise<{ user: User; invitation: IssuedLink }> {
  const { em, now } = tx;
  const { config } = tx.deps;
  const actor = tx.actor.user;
  const user = em.create(User, { ...fields, id: randomUUID(), tenantId: actor.tenantId, status: 'INVITED', createdById: actor.id });
  em.persist(user);
  await em.flush();
  const invitation = await issueInvitation(em, user, { publicUrl: config.PUBLIC_URL, ttlHours: config.INVITATION_TTL_HOURS, now: now() });
  return { user, invitation };
}

/**
 * After commit. A failed send is logged, not thrown: the user exists and an
 * administrator can resend the invitation.
 */
export async function mailInvitation(ctx: Pick<ServiceContext, 'deps' | 'log'>, email: string, invitation: IssuedLink): Promise<void> {
  try {
    await ctx.deps.mailer.send(invitationMail(email, invitation.link, invitation.expiresAt));
  } catch (err) {
    ctx.log.error({ err }, 'invitation mail not sent; resend the invitation');
  }
}
