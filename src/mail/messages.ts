// Texts of the mails about an email change. (The invitation's text lives with
// issueInvitation.) Links are built on PUBLIC_URL and carry the secret as
// their `token` query parameter.
import type { MailMessage } from './mailer.ts';

export function secretLink(publicUrl: string, path: string, secret: string): string {
  const link = new URL(path, publicUrl);
  link.searchParams.set('token', secret);
  return link.toString();
}

export function emailVerificationMail(to: string, link: string, expiresAt: Date): MailMessage {
  return {
    to,
    subject: 'Confirm your new email address',
    text:
      `Someone asked to use this address for your account. Confirm it here:\n\n${link}\n\n` +
      `The link works once and expires at ${expiresAt.toISOString()}. If this was not you, ignore this message.\n`,
  };
}

export function emailChangedNotice(to: string, newEmail: string): MailMessage {
  return {
    to,
    subject: 'Your account email address was changed',
    text:
      `The email address of your account was changed to ${newEmail}. This address no longer signs in.\n\n` +
      `If you did not expect this, contact your administrator at once.\n`,
  };
}
