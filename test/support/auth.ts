// Helpers of the authentication tests: the mail folder, users at every level
// created the way an administrator would (invited, with a mailed link), the
// injectable clock, and TOTP codes.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ControlPlaneDeps } from '../../src/context/deps.ts';
import { invitationMail, issueInvitation } from '../../src/invitations/issue.ts';
import type { Merchant } from '../../src/merchants/merchant.entity.ts';
import type { Reseller } from '../../src/resellers/reseller.entity.ts';
import type { ContextType } from '../../src/roles/role.entity.ts';
import type { SecuritySettings } from '../../src/security/settings.ts';
import { totpCode } from '../../src/totp/totp.ts';
import type { User } from '../../src/users/user.entity.ts';
import type { RunningControlPlane } from './control-plane.ts';
import { testEnv } from './env.ts';
import { client } from './http.ts';
import { uniqueId } from './fixtures.ts';
import { rewrite, seedMerchant, seedReseller, seedUser } from './seed.ts';

export const GOOD_PASSWORD = 'violet-harbour-47-lanterns';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

function decodeQuotedPrintable(s: string): string {
  return Buffer.from(s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
}

function parseEml(raw: string): Mail {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = head.replace(/\r?\n[ \t]+/g, ' ');
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(headers)?.[1]?.trim() ?? '';
  const body = rest.join('\n\n');
  const text = /quoted-printable/i.test(header('Content-Transfer-Encoding')) ? decodeQuotedPrintable(body) : body;
  return { to: header('To').replace(/^.*<(.*)>$/, '$1').toLowerCase(), subject: header('Subject'), text };
}

/** Every mail to `to`, oldest first. */
export async function mailsTo(to: string): Promise<Mail[]> {
  const folder = new URL(testEnv()['MAIL_URL']!).pathname;
  const names = (await readdir(folder)).filter((n) => n.endsWith('.eml')).sort();
  const mails = await Promise.all(names.map(async (n) => parseEml(await readFile(join(folder, n), 'utf8'))));
  return mails.filter((m) => m.to === to.toLowerCase());
}

/** The `token` of the newest link to `path` mailed to `to`. */
export async function tokenFromMail(to: string, path: string): Promise<string> {
  const mails = await mailsTo(to);
  for (const mail of mails.reverse()) {
    const m = new RegExp(`https?://\\S+${path.replace(/\//g, '\\/')}\\?token=([A-Za-z0-9_-]+)`).exec(mail.text);
    if (m?.[1]) return m[1];
  }
  throw new Error(`no ${path} link mailed to ${to}`);
}

export async function createReseller(deps: ControlPlaneDeps, tenantId: string, security: SecuritySettings = {}): Promise<Reseller> {
  const em = deps.orm.em.fork();
  const id = uniqueId('r');
  const reseller = seedReseller(em, { id, tenantId, email: `${id}@reseller.test`, security });
  await em.flush();
  return reseller;
}

export async function createMerchant(
  deps: ControlPlaneDeps,
  tenantId: string,
  opts: { resellerId?: string; mfaRequired?: boolean; name?: string } = {},
): Promise<Merchant> {
  const em = deps.orm.em.fork();
  const id = uniqueId('m');
  const merchant = seedMerchant(em, {
    id,
    tenantId,
    resellerId: opts.resellerId ?? null,
    name: opts.name ?? `Merchant ${id}`,
    email: `${id}@merchant.test`,
    country: 'DE',
    settings: opts.mfaRequired ? { mfaRequired: true } : {},
  });
  await em.flush();
  return merchant;
}

/** An INVITED user with a mailed setup link, as POST /v1/users would leave it. */
export async function inviteUser(
  deps: ControlPlaneDeps,
  input: { tenantId: string; roleId: string; type: ContextType; resellerId?: string; merchantId?: string; merchantsAccess?: string[]; email?: string },
): Promise<User> {
  const em = deps.orm.em.fork();
  const user = seedUser(em, { ...input, status: 'INVITED' });
  await em.flush();
  const link = await issueInvitation(em, user, { publicUrl: deps.config.PUBLIC_URL, ttlHours: deps.config.INVITATION_TTL_HOURS, now: deps.now() });
  await em.flush();
  await deps.mailer.send(invitationMail(user.email, link.link, link.expiresAt));
  return user;
}

export async function setRoleRequireMfa(deps: ControlPlaneDeps, roleId: string, requireMfa: boolean): Promise<void> {
  await rewrite.role(deps, roleId, { requireMfa });
}

/** Moves the control plane's clock (deps.now) by `ms` from real time; `0` puts it back. */
export function shiftClock(cp: RunningControlPlane, ms: number): void {
  cp.deps.now = () => new Date(Date.now() + ms);
}

export function codeAt(secret: string, offsetMs = 0): string {
  return totpCode(secret, new Date(Date.now() + offsetMs));
}

/**
 * The whole journey through HTTP: read the invitation mail, set the password,
 * and — when the answer says so — enrol TOTP. Returns tokens and the secret.
 */
export async function completeInvitation(cp: RunningControlPlane, email: string, password = GOOD_PASSWORD) {
  const api = client(cp.url);
  const token = await tokenFromMail(email, '/invitations/accept');
  const accepted = await api.post('/v1/invitations/accept', { token, password });
  if (accepted.status !== 200) throw new Error(`accept failed: ${JSON.stringify(accepted.body)}`);
  if (!accepted.body.mfaToken) return { status: accepted.body.status as string, secret: null, recoveryCodes: [] as string[] };
  const setup = await api.post('/v1/auth/mfa/setup', { mfaToken: accepted.body.mfaToken });
  const verify = await api.post('/v1/auth/mfa/verify', { mfaToken: accepted.body.mfaToken, code: codeAt(setup.body.secret) });
  if (verify.status !== 200) throw new Error(`verify failed: ${JSON.stringify(verify.body)}`);
  return { status: 'ACTIVE', secret: setup.body.secret as string, recoveryCodes: verify.body.recoveryCodes as string[], tokens: verify.body };
}

/** Password login (and TOTP when asked), answering the final token pair. */
export async function login(cp: RunningControlPlane, email: string, password = GOOD_PASSWORD, secret?: string | null) {
  const api = client(cp.url);
  const first = await api.post('/v1/auth/login', { email, password });
  if (first.status !== 200) return first;
  if (first.body.mfaRequired && secret) {
    // A fresh step each time: a code already used by this user would be a replay.
    return api.post('/v1/auth/login/totp', { mfaToken: first.body.mfaToken, code: codeAt(secret) });
  }
  return first;
}
