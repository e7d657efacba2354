// Finding 9: an expired password is not skipped through 2FA enrolment. After
// an administrator's reset-mfa, login → /auth/mfa/setup → /auth/mfa/verify
// answers 403 PASSWORD_EXPIRED exactly like login + TOTP: the new factor is
// enrolled (the caller proved it), but no session opens until the password
// is renewed with the token the answer carries.
import { afterEach, describe, expect, it } from 'vitest';
import { useControlPlane } from '../support/control-plane.ts';
import { client } from '../support/http.ts';
import { uniqueId } from '../support/fixtures.ts';
import { bootstrapTenant } from '../../src/tenants/bootstrap.ts';
import { User } from '../../src/users/user.entity.ts';
import { codeAt, completeInvitation, GOOD_PASSWORD, shiftClock } from '../support/auth.ts';

const cp = useControlPlane();
afterEach(() => shiftClock(cp, 0));

const DAY = 86_400_000;

async function sessionCount(userId: string): Promise<number> {
  const rows = await cp.deps.orm.em.getConnection().execute<{ n: string }[]>('select count(*) as n from sessions where user_id = ?', [userId]);
  return Number(rows[0]!.n);
}

describe('password expiry through TOTP enrolment', () => {
  it('login → mfa/setup → mfa/verify answers 403 PASSWORD_EXPIRED like login + TOTP, and renewal then opens the session', async () => {
    const id = uniqueId('t');
    const t = await bootstrapTenant(cp.deps, { id, name: id, adminEmail: `admin@${id}.test`, security: { mfaRequired: true, passwordPolicy: { expiryDays: 90 } } });
    const enrolled = await completeInvitation(cp, t.admin.email);
    expect(enrolled.status).toBe('ACTIVE');
    const api = client(cp.url);

    shiftClock(cp, 91 * DAY);
    // The reference: login + TOTP with the expired password.
    const first = await api.post('/v1/auth/login', { email: t.admin.email, password: GOOD_PASSWORD });
    expect(first.body.mfaRequired, JSON.stringify(first.body)).toBe(true);
    const viaTotp = await api.post('/v1/auth/login/totp', { mfaToken: first.body.mfaToken, code: codeAt(enrolled.secret!, 91 * DAY) });
    expect(viaTotp.status).toBe(403);
    expect(viaTotp.body.code).toBe('PASSWORD_EXPIRED');

    // An administrator's reset-mfa: the user must enrol again at next login.
    await cp.deps.orm.em.fork().nativeUpdate(User, { id: t.admin.id }, { mfaEnrolled: false, totpSecretEnc: null, recoveryCodes: [] });
    const login = await api.post('/v1/auth/login', { email: t.admin.email, password: GOOD_PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body.mfaSetupRequired).toBe(true);
    const setup = await api.post('/v1/auth/mfa/setup', { mfaToken: login.body.mfaToken });
    expect(setup.status).toBe(200);
    const sessionsBefore = await sessionCount(t.admin.id);
    const verify = await api.post('/v1/auth/mfa/verify', { mfaToken: login.body.mfaToken, code: codeAt(setup.body.secret, 91 * DAY + 30_000) });
    expect(verify.status, JSON.stringify(verify.body)).toBe(403);
    expect(verify.body).toMatchObject({ code: 'PASSWORD_EXPIRED', passwordChangeToken: expect.any(String) });
    expect(verify.body.accessToken).toBeUndefined();
    // The factor is enrolled (its recovery codes are shown this once), no session opened.
    expect(verify.body.recoveryCodes).toHaveLength(10);
    const row = await cp.deps.orm.em.fork().findOneOrFail(User, t.admin.id);
    expect(row.mfaEnrolled).toBe(true);
    expect(await sessionCount(t.admin.id)).toBe(sessionsBefore);

    const renewed = await api.post('/v1/auth/password/renew', { passwordChangeToken: verify.body.passwordChangeToken, newPassword: 'a-brand-new-passphrase' });
    expect(renewed.status).toBe(200);
    expect(renewed.body.accessToken).toEqual(expect.any(String));
    // From now on the enrolled factor is asked for.
    const again = await api.post('/v1/auth/login', { email: t.admin.email, password: 'a-brand-new-passphrase' });
    expect(again.body.mfaRequired).toBe(true);
  });
});
