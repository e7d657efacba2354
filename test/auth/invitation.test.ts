// The invitation journey through HTTP and the mail folder (docs/domain.md#user-lifecycle).
import { afterEach, describe, expect, it } from 'vitest';
import { useControlPlane } from '../support/control-plane.ts';
import { client } from '../support/http.ts';
import { bootstrapTenant } from '../../src/tenants/bootstrap.ts';
import { activate, tokenFor, uniqueId } from '../support/fixtures.ts';
import { codeAt, GOOD_PASSWORD, inviteUser, mailsTo, shiftClock, tokenFromMail } from '../support/auth.ts';

const cp = useControlPlane();
afterEach(() => shiftClock(cp, 0));

async function tenantWithMfa() {
  const id = uniqueId('t');
  return bootstrapTenant(cp.deps, { id, name: `Tenant ${id}`, adminEmail: `admin@${id}.test`, security: { mfaRequired: true } });
}

describe('invitation journey', () => {
  it('invite → mail → password → TOTP enrolment → login with password and code → /v1/me', async () => {
    const t = await tenantWithMfa();
    const api = client(cp.url);
    const email = t.admin.email;

    const mail = (await mailsTo(email)).at(-1)!;
    expect(mail.subject).toMatch(/invited/i);
    expect(mail.text).toContain('http://localhost:3000/invitations/accept?token=');
    const token = await tokenFromMail(email, '/invitations/accept');

    const lookup = await api.get(`/v1/invitations/lookup?token=${token}`);
    expect(lookup.status).toBe(200);
    expect(lookup.body).toMatchObject({ email, mfaRequired: true, passwordPolicy: { minLength: 12, maxLength: 128 } });
    expect(new Date(lookup.body.expiresAt).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);

    const accepted = await api.post('/v1/invitations/accept', { token, password: GOOD_PASSWORD });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ status: 'INVITED', mfaToken: expect.any(String) });

    // The MFA token is no access token.
    expect((await client(cp.url, accepted.body.mfaToken).get('/v1/me')).status).toBe(401);
    // Not ACTIVE before enrolment: a password login continues the enrolment.
    const early = await api.post('/v1/auth/login', { email, password: GOOD_PASSWORD });
    expect(early.body).toEqual({ mfaSetupRequired: true, mfaToken: expect.any(String) });

    const setup = await api.post('/v1/auth/mfa/setup', { mfaToken: accepted.body.mfaToken });
    expect(setup.status).toBe(200);
    expect(setup.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/.+\?secret=[A-Z2-7]+&.*issuer=/);
    expect(setup.body.otpauthUrl).toContain(setup.body.secret);
    const stored = await cp.deps.orm.em.getConnection().execute<{ totp_secret_enc: string }[]>('select totp_secret_enc from users where id = ?', [t.admin.id]);
    expect(stored[0]!.totp_secret_enc).not.toContain(setup.body.secret);

    const wrong = await api.post('/v1/auth/mfa/verify', { mfaToken: accepted.body.mfaToken, code: '000000' === codeAt(setup.body.secret) ? '111111' : '000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('TOTP_INVALID');

    const verified = await api.post('/v1/auth/mfa/verify', { mfaToken: accepted.body.mfaToken, code: codeAt(setup.body.secret) });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: 900, context: { type: 'TENANT', id: t.tenant.id } });
    expect(verified.body.recoveryCodes).toHaveLength(10);

    // Later: password, then a code from the next time step.
    const login = await api.post('/v1/auth/login', { email, password: GOOD_PASSWORD });
    expect(login.body).toEqual({ mfaRequired: true, mfaToken: expect.any(String) });
    const second = await api.post('/v1/auth/login/totp', { mfaToken: login.body.mfaToken, code: codeAt(setup.body.secret, 30_000) });
    expect(second.status).toBe(200);
    expect(second.body.context).toEqual({ type: 'TENANT', id: t.tenant.id });

    const me = await client(cp.url, second.body.accessToken).get('/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: t.admin.id, email, status: 'ACTIVE', mfaEnrolled: true, type: 'TENANT' });
    expect(me.body.context).toEqual({ type: 'TENANT', id: t.tenant.id });
    expect(me.body.role).toMatchObject({ name: 'Tenant Admin', enabled: true });
    // "*" expanded over the catalogue (built-ins and the route table's modules).
    expect(me.body.acl).toMatchObject({ users: 'RW', roles: 'RW', audit: 'R', orders: 'RW', refunds: 'RW' });
    expect(me.body.acl).not.toHaveProperty('*');
  });

  it('without required 2FA the user is ACTIVE at once and logs in with the password alone', async () => {
    const id = uniqueId('t');
    const t = await bootstrapTenant(cp.deps, { id, name: id, adminEmail: `admin@${id}.test`, security: { mfaRequired: false } });
    const api = client(cp.url);
    const token = await tokenFromMail(t.admin.email, '/invitations/accept');
    const accepted = await api.post('/v1/invitations/accept', { token, password: GOOD_PASSWORD });
    expect(accepted.body).toEqual({ status: 'ACTIVE' });
    const login = await api.post('/v1/auth/login', { email: t.admin.email.toUpperCase(), password: GOOD_PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body.accessToken).toEqual(expect.any(String));
  });

  it('a link works once', async () => {
    const t = await tenantWithMfa();
    const api = client(cp.url);
    const token = await tokenFromMail(t.admin.email, '/invitations/accept');
    expect((await api.post('/v1/invitations/accept', { token, password: GOOD_PASSWORD })).status).toBe(200);
    const again = await api.post('/v1/invitations/accept', { token, password: GOOD_PASSWORD });
    expect(again.status).toBe(404);
    expect(again.body.code).toBe('NOT_FOUND');
    expect((await api.get(`/v1/invitations/lookup?token=${token}`)).status).toBe(404);
  });

  it('concurrent acceptances of one link: exactly one succeeds, every other finds the link used (404)', async () => {
    // Several rounds of five: a loser that read the link before the winner's
    // commit once had its password judged against the one just set (422).
    for (let round = 0; round < 3; round++) {
      const t = await tenantWithMfa();
      const api = client(cp.url);
      const token = await tokenFromMail(t.admin.email, '/invitations/accept');
      const answers = await Promise.all([1, 2, 3, 4, 5].map(() => api.post('/v1/invitations/accept', { token, password: GOOD_PASSWORD })));
      expect(answers.map((a) => a.status).sort()).toEqual([200, 404, 404, 404, 404]);
    }
  });

  it('an expired link answers 410 INVITATION_EXPIRED (clock moved past 24 h)', async () => {
    const t = await tenantWithMfa();
    const api = client(cp.url);
    const token = await tokenFromMail(t.admin.email, '/invitations/accept');
    shiftClock(cp, 24 * 3600_000 + 60_000);
    const lookup = await api.get(`/v1/invitations/lookup?token=${token}`);
    expect(lookup.status).toBe(410);
    expect(lookup.body).toMatchObject({ statusCode: 410, code: 'INVITATION_EXPIRED' });
    expect((await api.post('/v1/invitations/accept', { token, password: GOOD_PASSWORD })).body.code).toBe('INVITATION_EXPIRED');
  });

  it('unknown tokens are 404 and unknown fields 400', async () => {
    const api = client(cp.url);
    expect((await api.get('/v1/invitations/lookup?token=nope')).status).toBe(404);
    const extra = await api.post('/v1/invitations/accept', { token: 'x', password: GOOD_PASSWORD, status: 'ACTIVE' });
    expect(extra.status).toBe(400);
    expect(extra.body.code).toBe('VALIDATION_FAILED');
  });

  it('resend voids the previous link and mails a new one', async () => {
    const t = await bootstrapTenant(cp.deps, { id: uniqueId('t'), name: 'Resend', adminEmail: `admin@${uniqueId('x')}.test`, security: { mfaRequired: false } });
    // A second, active tenant user resends the admin's invitation.
    const operator = await inviteUser(cp.deps, { tenantId: t.tenant.id, roleId: t.roles.TENANT.id, type: 'TENANT' });
    await activate(cp.deps, operator.id);
    const admin = client(cp.url, await tokenFor(cp.deps, operator.id));

    const first = await tokenFromMail(t.admin.email, '/invitations/accept');
    const resent = await admin.post(`/v1/users/${t.admin.id}/resend-invitation`);
    expect(resent.status).toBe(200);
    const second = await tokenFromMail(t.admin.email, '/invitations/accept');
    expect(second).not.toBe(first);

    const api = client(cp.url);
    expect((await api.get(`/v1/invitations/lookup?token=${first}`)).status).toBe(404);
    expect((await api.post('/v1/invitations/accept', { token: first, password: GOOD_PASSWORD })).status).toBe(404);
    expect((await api.get(`/v1/invitations/lookup?token=${second}`)).status).toBe(200);
    expect((await api.post('/v1/invitations/accept', { token: second, password: GOOD_PASSWORD })).status).toBe(200);
    // Once accepted there is nothing to resend.
    expect((await admin.post(`/v1/users/${t.admin.id}/resend-invitation`)).status).toBe(409);
  });
});
