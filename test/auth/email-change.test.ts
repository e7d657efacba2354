// Email change (docs/domain.md#user-lifecycle): ACTIVE targets only, verification link to the
// new address, applied on confirmation, old address told.
import { afterEach, describe, expect, it } from 'vitest';
import { useControlPlane } from '../support/control-plane.ts';
import { client } from '../support/http.ts';
import { activeTenant, activate, uniqueId } from '../support/fixtures.ts';
import { inviteUser, mailsTo, shiftClock, tokenFromMail } from '../support/auth.ts';

const PASSWORD = 'correct horse battery staple';

const cp = useControlPlane();
afterEach(() => shiftClock(cp, 0));

async function setup() {
  const t = await activeTenant(cp.deps);
  const user = await inviteUser(cp.deps, { tenantId: t.tenant.id, roleId: t.roles.TENANT.id, type: 'TENANT' });
  await activate(cp.deps, user.id);
  return { t, user, admin: client(cp.url, t.token) };
}

describe('email change', () => {
  it('mails a link to the new address; confirming applies it and tells the old one', async () => {
    const { user, admin } = await setup();
    const newEmail = `${uniqueId('new')}@users.test`;
    const res = await admin.patch(`/v1/users/${user.id}/email`, { email: newEmail.toUpperCase() });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: user.id, email: user.email, pendingEmail: newEmail });
    // Nothing changes before confirmation.
    expect((await client(cp.url).post('/v1/auth/login', { email: user.email, password: PASSWORD })).status).toBe(200);

    const token = await tokenFromMail(newEmail, '/email-verifications/confirm');
    const confirmed = await client(cp.url).post('/v1/email-verifications/confirm', { token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toEqual({ id: user.id, email: newEmail });
    const notice = (await mailsTo(user.email)).at(-1)!;
    expect(notice.subject).toMatch(/changed/i);
    expect(notice.text).toContain(newEmail);

    expect((await client(cp.url).post('/v1/auth/login', { email: newEmail, password: PASSWORD })).status).toBe(200);
    expect((await client(cp.url).post('/v1/auth/login', { email: user.email, password: PASSWORD })).status).toBe(401);
    // The link worked once.
    expect((await client(cp.url).post('/v1/email-verifications/confirm', { token })).status).toBe(404);
  });

  it('requires an ACTIVE target (409 USER_NOT_ACTIVE) and a free address (409 CONFLICT)', async () => {
    const { t, user, admin } = await setup();
    const invited = await inviteUser(cp.deps, { tenantId: t.tenant.id, roleId: t.roles.TENANT.id, type: 'TENANT' });
    const res = await admin.patch(`/v1/users/${invited.id}/email`, { email: `${uniqueId('x')}@users.test` });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('USER_NOT_ACTIVE');
    const taken = await admin.patch(`/v1/users/${user.id}/email`, { email: t.admin.email });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('CONFLICT');
    expect((await admin.patch(`/v1/users/${user.id}/email`, { email: 'not-an-email' })).status).toBe(400);
    const other = await activeTenant(cp.deps);
    expect((await admin.patch(`/v1/users/${other.admin.id}/email`, { email: `${uniqueId('x')}@users.test` })).status).toBe(404);
  });

  it('a newer request voids the older link; an expired link is 410', async () => {
    const { user, admin } = await setup();
    const first = `${uniqueId('a')}@users.test`;
    const second = `${uniqueId('b')}@users.test`;
    await admin.patch(`/v1/users/${user.id}/email`, { email: first });
    await admin.patch(`/v1/users/${user.id}/email`, { email: second });
    const api = client(cp.url);
    expect((await api.post('/v1/email-verifications/confirm', { token: await tokenFromMail(first, '/email-verifications/confirm') })).status).toBe(404);
    const token = await tokenFromMail(second, '/email-verifications/confirm');
    shiftClock(cp, 25 * 3600_000);
    const expired = await api.post('/v1/email-verifications/confirm', { token });
    expect(expired.status).toBe(410);
    expect(expired.body.code).toBe('VERIFICATION_EXPIRED');
  });
});
