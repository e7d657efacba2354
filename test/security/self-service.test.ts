// Self-service changes need re-authentication (issue 17, finding 14): with
// only an access token (a stolen one), a user administrator cannot change its
// own email nor its own security state through the administrative routes
// (403 SELF_MODIFICATION, nothing written); it does so through POST /me/email
// and POST /me/revoke-sessions, which ask the current password again (401
// INVALID_CREDENTIALS when wrong, counted by the login lockout).
//
// OWASP ASVS 4.0.3 V3.7.1 (re-authentication before sensitive changes),
// V2.1.5/V2.5.x; ASVS 5.0 V6.3.x; OWASP API Security Top 10 2023 API2.
import { beforeAll, describe, expect, it } from 'vitest';
import { User } from '../../src/users/user.entity.ts';
import { auditRows } from '../support/audit.ts';
import { tokenFromMail } from '../support/auth.ts';
import { useControlPlane } from '../support/control-plane.ts';
import { activate, newTenant, tokenFor, uniqueId } from '../support/fixtures.ts';
import { seedRole, seedUser } from '../support/seed.ts';
import { send, type Answer } from '../support/worlds/security.ts';

const PASSWORD = 'correct horse battery staple';

const cp = useControlPlane();
let tenantId: string;
let roleId: string;

beforeAll(async () => {
  const t = await newTenant(cp.deps);
  tenantId = t.tenant.id;
  const em = cp.deps.orm.em.fork();
  roleId = seedRole(em, { tenantId, name: uniqueId('self'), acl: { users: 'RW', roles: 'R', user_hard_delete: 'RW', tenants: 'RW' } }).id;
  await em.flush();
});

/** A user administrator, signed in: its id, email and access token. */
async function userAdmin(): Promise<{ id: string; email: string; token: string }> {
  const em = cp.deps.orm.em.fork();
  const email = `${uniqueId('self')}@self.test`;
  const { id } = seedUser(em, { tenantId, email, roleId });
  await em.flush();
  await activate(cp.deps, id);
  return { id, email, token: await tokenFor(cp.deps, id) };
}

const call = (token: string, method: string, path: string, body?: unknown): Promise<Answer> =>
  send(cp.url, { token, method, path: `/v1${path}`, ...(body === undefined ? {} : { body }) });

/** The user's row, its pending links and sessions, and the tenant's audit log. */
async function stateOf(userId: string): Promise<string> {
  const conn = cp.deps.orm.em.getConnection();
  const rows = await Promise.all([
    conn.execute('select * from users where id = ?', [userId]),
    conn.execute('select id, kind, used_at, voided_at from one_time_tokens where user_id = ? order by id', [userId]),
    conn.execute('select id, revoked_at from sessions where user_id = ? order by id', [userId]),
    auditRows(cp, tenantId).then((events) => [{ n: events.length }]),
  ]);
  return JSON.stringify(rows);
}

describe('the administrative routes refuse oneself (SELF_MODIFICATION)', () => {
  const attempts: [string, string, (self: string) => string, unknown?][] = [
    ['email change', 'PATCH', (self) => `/users/${self}/email`, { email: 'taken-over@attacker.test' }],
    ['unlock', 'POST', (self) => `/users/${self}/unlock`],
    ['revoke-sessions', 'POST', (self) => `/users/${self}/revoke-sessions`],
    ['reset-mfa', 'POST', (self) => `/users/${self}/reset-mfa`],
  ];
  for (const [name, method, path, body] of attempts) {
    it(`${name} on oneself with only an access token: 403 SELF_MODIFICATION, nothing written`, async () => {
      const me = await userAdmin();
      // A lockout to lift, so unlock would have something to do.
      await cp.deps.orm.em.fork().nativeUpdate(User, { id: me.id }, { lockedUntil: new Date(Date.now() + 3600_000) });
      const before = await stateOf(me.id);
      const res = await call(me.token, method, path(me.id), body);
      expect([res.status, res.body?.code], JSON.stringify(res.body)).toEqual([403, 'SELF_MODIFICATION']);
      expect(await stateOf(me.id)).toBe(before);
    });
  }
});

describe('POST /me/email {newEmail, currentPassword}', () => {
  it('refuses a wrong or missing password and writes nothing', async () => {
    const me = await userAdmin();
    const before = await stateOf(me.id);
    const wrong = await call(me.token, 'POST', '/me/email', { newEmail: `${uniqueId('n')}@self.test`, currentPassword: 'not my password' });
    expect([wrong.status, wrong.body?.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    const missing = await call(me.token, 'POST', '/me/email', { newEmail: `${uniqueId('n')}@self.test` });
    expect(missing.status).toBe(400);
    expect((await cp.deps.orm.em.getConnection().execute('select 1 from one_time_tokens where user_id = ?', [me.id])).length).toBe(0);
    // The failure counts towards the login lockout; nothing else changed.
    expect(JSON.parse(await stateOf(me.id))[1]).toEqual(JSON.parse(before)[1]);
  });

  it('with the current password: 202, a link to the new address, applied when followed', async () => {
    const me = await userAdmin();
    const newEmail = `${uniqueId('new')}@self.test`;
    const res = await call(me.token, 'POST', '/me/email', { newEmail, currentPassword: PASSWORD });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ id: me.id, email: me.email, pendingEmail: newEmail });
    const token = await tokenFromMail(newEmail, '/email-verifications/confirm');
    const confirmed = await send(cp.url, { method: 'POST', path: '/v1/email-verifications/confirm', body: { token } });
    expect(confirmed.body).toEqual({ id: me.id, email: newEmail });
  });
});

describe('POST /me/revoke-sessions {currentPassword}', () => {
  it('refuses a wrong password; with it, ends every session of the caller, this one too', async () => {
    const me = await userAdmin();
    const other = await tokenFor(cp.deps, me.id);
    const wrong = await call(me.token, 'POST', '/me/revoke-sessions', { currentPassword: 'not my password' });
    expect([wrong.status, wrong.body?.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    expect((await call(other, 'GET', '/me')).status).toBe(200);
    const res = await call(me.token, 'POST', '/me/revoke-sessions', { currentPassword: PASSWORD });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ id: me.id, revokedSessions: 2 });
    expect((await call(other, 'GET', '/me')).status).toBe(401);
    expect((await call(me.token, 'GET', '/me')).status).toBe(401);
  });
});
