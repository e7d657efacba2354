// Issues a single-use setup link for an invited user: a random secret whose
// SHA-256 is stored, valid INVITATION_TTL_HOURS (24 h). Issuing voids every
// earlier link of the user, so a resend invalidates the old mail.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { OneTimeToken } from '../auth/one-time-token.entity.ts';
import { hashSecret, newSecret } from '../auth/secret-token.ts';
import type { User } from '../users/user.entity.ts';

export interface IssuedLink {
  link: string;
  expiresAt: Date;
}

export async function issueInvitation(
  em: EntityManager,
  user: Pick<User, 'id'>,
  opts: { publicUrl: string; ttlHours: number; now?: Date },
): Promise<IssuedLink> {
  const now = opts.now ?? new Date();
  await em.nativeUpdate(OneTimeToken, { userId: user.id, kind: 'INVITATION', usedAt: null, voidedAt: null }, { voidedAt: now });
  const secret = newSecret();
  const expiresAt = new Date(now.getTime() + opts.ttlHours * 3600_000);
  em.persist(
    em.create(OneTimeToken, {
      id: randomUUID(),
      kind: 'INVITATION',
      userId: user.id,
      tokenHash: hashSecret(secret),
      payload: {},
      expiresAt,
      createdAt: now,
    }),
  );
  const link = new URL('/invitations/accept', opts.publicUrl);
  link.searchParams.set('token', secret);
  return { link: link.toString(), expiresAt };
}

export function invitationMail(to: string, link: string, expiresAt: Date) {
  return {
    to,
    subject: 'You are invited: set up your account',
    text:
      `You have been invited. Set your password and second factor here:\n\n${link}\n\n` +
      `The link works once and expires at ${expiresAt.toISOString()}.\n`,
  };
}
