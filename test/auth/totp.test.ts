// TOTP second factor (RFC 6238): wrong and replayed codes, one success out of
// concurrent submissions, single-use recovery codes, admin reset, and 2FA
// required by merchant or role settings.
import { describe, expect, it } from 'vitest';
import { useControlPlane } from '../support/control-plane.ts';
import { client } from '../support/http.ts';
import { bootstrapTenant } from '../../src/tenants/bootstrap.ts';
import { activate, tokenFor, uniqueId } from '../support/fixtures.ts';
import { codeAt, completeInvitation, createMerchant, GOOD_PASSWORD, inviteUser, setRoleRequireMfa } from '../support/auth.ts';

const cp = useControlPlane();

/** An enrolled tenant admin (2FA required by the tenant). */
async function enrolledAdmin() {
  const id = uniqueId('t');
  const t = await bootstrapTenant(cp.deps, { id, name: id, adminEmail: `admin@${id}.test`, security: { mfaRequired: true } });
  const done = await completeInvitation(cp, t.admin.email);
  return { ...t, secret: done.secret!, recoveryCodes: done.recoveryCodes };
}

async function mfaToken(email: string): Promise<string> {
  const res = await client(cp.url).post('/v1/auth/login', { email, password: GOOD_PASSWORD });
  expect(res.body.mfaRequired).toBe(true);
  return res.body.mfaToken;
}

const wrongCode = (secret: string) => {
  const near = new Set([-30_000, 0, 30_000].map((o) => codeAt(secret, o)));
  let c = 0;
  while (near.has(String(c).padStart(6, '0'))) c++;
  return String(c).padStart(6, '0');
};

describe('TOTP login', () => {
  it('a wrong code is 401 TOTP_INVALID; the right one passes', async () => {
    const t = await enrolledAdmin();
    const token = await mfaToken(t.admin.email);
    const api = client(cp.url);
    const wrong = await api.post('/v1/auth/login/totp', { mfaToken: token, code: wrongCode(t.secret) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('TOTP_INVALID');
    // ±1 step of drift is accepted.
    const ok = await api.post('/v1/auth/login/totp', { mfaToken: token, code: codeAt(t.secret, 30_000) });
    expect(ok.status).toBe(200);
  });

  it('a code used once is refused again (TOTP_REPLAYED), as is an older step after a newer one', async () => {
    const t = await enrolledAdmin();
    const api = client(cp.url);
    const code = codeAt(t.secret, 30_000);
    expect((await api.post('/v1/auth/login/totp', { mfaToken: await mfaToken(t.admin.email), code })).status).toBe(200);
    const replay = await api.post('/v1/auth/login/totp', { mfaToken: await mfaToken(t.admin.email), code });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('TOTP_REPLAYED');
    // The current step (older than the one just used) is a replay too.
    const older = await api.post('/v1/auth/login/totp', { mfaToken: await mfaToken(t.admin.email), code: codeAt(t.secret) });
    expect(older.body.code).toBe('TOTP_REPLAYED');
  });

  it('two concurrent submissions of one code: exactly one succeeds', async () => {
    const t = await enrolledAdmin();
    const api = client(cp.url);
    const code = codeAt(t.secret, 30_000);
    const [a, b] = await Promise.all([mfaToken(t.admin.email), mfaToken(t.admin.email)]);
    const answers = await Promise.all([
      api.post('/v1/auth/login/totp', { mfaToken: a, code }),
      api.post('/v1/auth/login/totp', { mfaToken: b, code }),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401]);
    expect(answers.find((r) => r.status === 401)!.body.code).toBe('TOTP_REPLAYED');
  });

  it('the same MFA token sent twice at once opens one session', async () => {
    const t = await enrolledAdmin();
    const api = client(cp.url);
    const token = await mfaToken(t.admin.email);
    const code = codeAt(t.secret, 30_000);
    const answers = await Promise.all([1, 2].map(() => api.post('/v1/auth/login/totp', { mfaToken: token, code })));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(1);
  });

  it('a recovery code works once, in the code field', async () => {
    const t = await enrolledAdmin();
    const api = client(cp.url);
    const [first] = t.recoveryCodes;
    expect(t.recoveryCodes).toHaveLength(10);
    expect(new Set(t.recoveryCodes).size).toBe(10);
    const used = await api.post('/v1/auth/login/totp', { mfaToken: await mfaToken(t.admin.email), code: first!.toUpperCase() });
    expect(used.status).toBe(200);
    const again = await api.post('/v1/auth/login/totp', { mfaToken: await mfaToken(t.admin.email), code: first });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('TOTP_INVALID');
    const rows = await cp.deps.orm.em.getConnection().execute<{ n: number }[]>('select cardinality(recovery_codes) as n from users where id = ?', [t.admin.id]);
    expect(rows[0]!.n).toBe(9);
  });

  it('an access token is refused on the 2FA routes, and an MFA token everywhere else', async () => {
    const t = await enrolledAdmin();
    const api = client(cp.url);
    const session = await api.post('/v1/auth/login/totp', { mfaToken: await mfaToken(t.admin.email), code: codeAt(t.secret, 30_000) });
    const access = session.body.accessToken;
    expect((await api.post('/v1/auth/login/totp', { mfaToken: access, code: '123456' })).status).toBe(401);
    expect((await api.post('/v1/auth/mfa/setup', { mfaToken: access })).status).toBe(401);
    const token = await mfaToken(t.admin.email);
    expect((await client(cp.url, token).get('/v1/me')).status).toBe(401);
    expect((await client(cp.url, token).get('/v1/auth/contexts')).status).toBe(401);
    // A login token is not a setup token either.
    expect((await api.post('/v1/auth/mfa/setup', { mfaToken: token })).status).toBe(401);
  });
});

describe('2FA requirement and reset', () => {
  it('a merchant that requires 2FA makes its users enrol; a role can too', async () => {
    const t = await bootstrapTenant(cp.deps, { id: uniqueId('t'), name: 'Plain', adminEmail: `admin@${uniqueId('p')}.test`, security: { mfaRequired: false } });
    const merchant = await createMerchant(cp.deps, t.tenant.id, { mfaRequired: true });
    const mUser = await inviteUser(cp.deps, { tenantId: t.tenant.id, roleId: t.roles.MERCHANT.id, type: 'MERCHANT', merchantId: merchant.id });
    expect((await completeInvitation(cp, mUser.email)).secret).toEqual(expect.any(String));

    // Role requirement turned on after activation: next login must enrol.
    await completeInvitation(cp, t.admin.email);
    await setRoleRequireMfa(cp.deps, t.roles.TENANT.id, true);
    const api = client(cp.url);
    const login = await api.post('/v1/auth/login', { email: t.admin.email, password: GOOD_PASSWORD });
    expect(login.body).toEqual({ mfaSetupRequired: true, mfaToken: expect.any(String) });
    const setup = await api.post('/v1/auth/mfa/setup', { mfaToken: login.body.mfaToken });
    const verify = await api.post('/v1/auth/mfa/verify', { mfaToken: login.body.mfaToken, code: codeAt(setup.body.secret) });
    expect(verify.status).toBe(200);
    expect(verify.body.recoveryCodes).toHaveLength(10);
    await setRoleRequireMfa(cp.deps, t.roles.TENANT.id, false);
  });

  it('an admin resets a user’s 2FA: sessions end, the user enrols again; not on oneself', async () => {
    const t = await enrolledAdmin();
    const operator = await inviteUser(cp.deps, { tenantId: t.tenant.id, roleId: t.roles.TENANT.id, type: 'TENANT' });
    await activate(cp.deps, operator.id);
    const admin = client(cp.url, await tokenFor(cp.deps, operator.id));
    const api = client(cp.url);
    const session = await api.post('/v1/auth/login/totp', { mfaToken: await mfaToken(t.admin.email), code: codeAt(t.secret, 30_000) });

    const self = await admin.post(`/v1/users/${operator.id}/reset-mfa`);
    expect(self.status).toBe(403);
    expect(self.body.code).toBe('SELF_MODIFICATION');

    const reset = await admin.post(`/v1/users/${t.admin.id}/reset-mfa`);
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ mfaEnrolled: false, revokedSessions: 2 }); // enrolment's and this login's
    expect((await client(cp.url, session.body.accessToken).get('/v1/me')).status).toBe(401);
    expect((await api.post('/v1/auth/refresh', { refreshToken: session.body.refreshToken })).status).toBe(401);

    const login = await api.post('/v1/auth/login', { email: t.admin.email, password: GOOD_PASSWORD });
    expect(login.body.mfaSetupRequired).toBe(true);
    // The old recovery codes died with the old secret.
    expect((await api.post('/v1/auth/login/totp', { mfaToken: login.body.mfaToken, code: t.recoveryCodes[0] })).status).toBe(401);
  });
});
