// Password policy (docs/domain.md#passwords; NIST SP 800-63B 3.1.1.2): every refusal is
// 422 PASSWORD_POLICY naming each unmet rule.
import { afterEach, describe, expect, it } from 'vitest';
import { useControlPlane } from '../support/control-plane.ts';
import { client } from '../support/http.ts';
import { bootstrapTenant } from '../../src/tenants/bootstrap.ts';
import { Tenant } from '../../src/tenants/tenant.entity.ts';
import { unmetRules, passwordLength } from '../../src/passwords/policy.ts';
import { blocklistSize } from '../../src/passwords/blocklist.ts';
import { defaultPasswordPolicy, type SecuritySettings } from '../../src/security/settings.ts';
import { uniqueId } from '../support/fixtures.ts';
import { createReseller, GOOD_PASSWORD, inviteUser, shiftClock, tokenFromMail } from '../support/auth.ts';

const cp = useControlPlane();
afterEach(() => shiftClock(cp, 0));

async function invitedAdmin(security: SecuritySettings = {}) {
  const id = uniqueId('t');
  const t = await bootstrapTenant(cp.deps, { id, name: id, adminEmail: `admin@${id}.test`, security: { mfaRequired: false, ...security } });
  return { ...t, token: await tokenFromMail(t.admin.email, '/invitations/accept') };
}

const accept = (token: string, password: string) => client(cp.url).post('/v1/invitations/accept', { token, password });

describe('password policy rules', () => {
  it('ships a blocklist of thousands of common passwords', () => {
    expect(blocklistSize()).toBeGreaterThan(10_000);
  });

  it('counts code points of the NFC form', () => {
    expect(passwordLength('e\u0301'.repeat(12))).toBe(12); // é decomposed → 12 composed characters
    expect(passwordLength('🔐'.repeat(12))).toBe(12); // astral characters count once
  });

  it('names every unmet rule at once', () => {
    const policy = { ...defaultPasswordPolicy, requireUpper: true, requireDigit: true, requireSymbol: true };
    expect(unmetRules('password', policy).sort()).toEqual(['blocklist', 'minLength', 'requireDigit', 'requireSymbol', 'requireUpper']);
    expect(unmetRules('Plenty-of-Room-42', policy)).toEqual([]);
    expect(unmetRules('alice.smith-secret-words', defaultPasswordPolicy, { email: 'alice.smith@example.test' })).toEqual(['contextual']);
  });
});

describe('password policy over HTTP', () => {
  it('too short', async () => {
    const { token } = await invitedAdmin();
    const res = await accept(token, 'Short-pw-1');
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ statusCode: 422, code: 'PASSWORD_POLICY', rules: ['minLength'] });
  });

  it('blocklisted (case-insensitive)', async () => {
    const { token } = await invitedAdmin();
    const res = await accept(token, 'Password1234');
    expect(res.status).toBe(422);
    expect(res.body.rules).toEqual(['blocklist']);
  });

  it('more than 128 characters', async () => {
    const { token } = await invitedAdmin();
    const res = await accept(token, 'x7-'.repeat(43));
    expect(res.status).toBe(422);
    expect(res.body.rules).toEqual(['maxLength']);
    expect((await accept(token, 'x7-'.repeat(42) + 'xy')).status).toBe(200); // exactly 128
  });

  it('Unicode is accepted and counted by code points', async () => {
    const { token, admin } = await invitedAdmin();
    const unicode = 'пароль-日本語-🔐-ünïcødé';
    expect((await accept(token, unicode)).status).toBe(200);
    // The same text in another normal form logs in: passwords are NFC-normalised.
    const login = await client(cp.url).post('/v1/auth/login', { email: admin.email, password: unicode.normalize('NFD') });
    expect(login.status).toBe(200);
  });

  it('composition rules when the tenant enables them, each named', async () => {
    const { token } = await invitedAdmin({ passwordPolicy: { requireUpper: true, requireDigit: true, requireSymbol: true } });
    const res = await accept(token, 'only lowercase words here');
    expect(res.status).toBe(422);
    expect(res.body.rules).toEqual(['requireUpper', 'requireDigit']);
    expect((await accept(token, 'Lowercase words here 7')).status).toBe(200);
  });

  it('a reseller overrides the tenant policy for its users', async () => {
    const t = await invitedAdmin({ passwordPolicy: { minLength: 12 } });
    const reseller = await createReseller(cp.deps, t.tenant.id, { passwordPolicy: { minLength: 20 } });
    const user = await inviteUser(cp.deps, { tenantId: t.tenant.id, roleId: t.roles.RESELLER.id, type: 'RESELLER', resellerId: reseller.id });
    const token = await tokenFromMail(user.email, '/invitations/accept');
    const lookup = await client(cp.url).get(`/v1/invitations/lookup?token=${token}`);
    expect(lookup.body.passwordPolicy.minLength).toBe(20);
    expect((await accept(token, 'violet-harbour7')).body.rules).toEqual(['minLength']); // 15 code points
    expect((await accept(token, GOOD_PASSWORD)).status).toBe(200);
  });

  it('history: no reuse of the last N; other sessions end on change', async () => {
    const t = await invitedAdmin({ passwordPolicy: { historySize: 3 } });
    expect((await accept(t.token, 'first-passphrase-one')).status).toBe(200);
    const api = client(cp.url);
    const other = await api.post('/v1/auth/login', { email: t.admin.email, password: 'first-passphrase-one' });
    const mine = await api.post('/v1/auth/login', { email: t.admin.email, password: 'first-passphrase-one' });
    const me = client(cp.url, mine.body.accessToken);

    const reuse = await me.post('/v1/auth/password', { currentPassword: 'first-passphrase-one', newPassword: 'first-passphrase-one' });
    expect(reuse.status).toBe(422);
    expect(reuse.body.rules).toEqual(['history']);

    expect((await me.post('/v1/auth/password', { currentPassword: 'first-passphrase-one', newPassword: 'second-passphrase-two' })).status).toBe(204);
    expect((await me.post('/v1/auth/password', { currentPassword: 'second-passphrase-two', newPassword: 'third-passphrase-three' })).status).toBe(204);
    // The first is still among the last three.
    expect((await me.post('/v1/auth/password', { currentPassword: 'third-passphrase-three', newPassword: 'first-passphrase-one' })).body.rules).toEqual(['history']);
    expect((await me.post('/v1/auth/password', { currentPassword: 'third-passphrase-three', newPassword: 'fourth-passphrase-four' })).status).toBe(204);
    // Now it has dropped out of the history.
    expect((await me.post('/v1/auth/password', { currentPassword: 'fourth-passphrase-four', newPassword: 'first-passphrase-one' })).status).toBe(204);

    // A wrong current password is refused like a failed login.
    expect((await me.post('/v1/auth/password', { currentPassword: 'nope-nope-nope', newPassword: 'fifth-passphrase-five' })).body.code).toBe('INVALID_CREDENTIALS');
    // The other session ended with the first change; this one lives on.
    expect((await client(cp.url, other.body.accessToken).get('/v1/me')).status).toBe(401);
    expect((await api.post('/v1/auth/refresh', { refreshToken: other.body.refreshToken })).status).toBe(401);
    expect((await me.get('/v1/me')).status).toBe(200);
  });

  it('expiry forces a change at login: 403 PASSWORD_EXPIRED with a token for /auth/password/renew', async () => {
    const t = await invitedAdmin({ passwordPolicy: { expiryDays: 90 } });
    expect((await accept(t.token, GOOD_PASSWORD)).status).toBe(200);
    const api = client(cp.url);
    expect((await api.post('/v1/auth/login', { email: t.admin.email, password: GOOD_PASSWORD })).status).toBe(200);

    shiftClock(cp, 91 * 86_400_000);
    const expired = await api.post('/v1/auth/login', { email: t.admin.email, password: GOOD_PASSWORD });
    expect(expired.status).toBe(403);
    expect(expired.body).toMatchObject({ code: 'PASSWORD_EXPIRED', passwordChangeToken: expect.any(String) });
    const changeToken = expired.body.passwordChangeToken;
    // The renewal token opens nothing else.
    expect((await client(cp.url, changeToken).get('/v1/me')).status).toBe(401);
    expect((await api.post('/v1/auth/login/totp', { mfaToken: changeToken, code: '123456' })).status).toBe(401);

    const same = await api.post('/v1/auth/password/renew', { passwordChangeToken: changeToken, newPassword: GOOD_PASSWORD });
    expect(same.body.rules).toEqual(['history']);
    const renewed = await api.post('/v1/auth/password/renew', { passwordChangeToken: changeToken, newPassword: 'a-brand-new-passphrase' });
    expect(renewed.status).toBe(200);
    expect(renewed.body.accessToken).toEqual(expect.any(String));
    expect((await api.post('/v1/auth/password/renew', { passwordChangeToken: changeToken, newPassword: 'yet-another-passphrase' })).status).toBe(401);
    expect((await api.post('/v1/auth/login', { email: t.admin.email, password: 'a-brand-new-passphrase' })).status).toBe(200);
  });

  it('tenant settings apply at once', async () => {
    const t = await invitedAdmin();
    await cp.deps.orm.em.fork().nativeUpdate(Tenant, { id: t.tenant.id }, { security: { passwordPolicy: { minLength: 30 } } });
    expect((await accept(t.token, GOOD_PASSWORD)).body.rules).toEqual(['minLength']);
  });
});
