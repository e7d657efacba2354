// Login lockout (docs/domain.md#lockout): N failures lock for M minutes, counted
// atomically in Redis; failed TOTP codes count; unknown users look the same.
import { afterEach, describe, expect, it } from 'vitest';
import { useControlPlane } from '../support/control-plane.ts';
import { auditOf } from '../support/audit.ts';
import { client } from '../support/http.ts';
import { passwordVerifications, readMetric } from '../support/metrics.ts';
import { bootstrapTenant } from '../../src/tenants/bootstrap.ts';
import { User } from '../../src/users/user.entity.ts';
import type { SecuritySettings } from '../../src/security/settings.ts';
import { activate, tokenFor, uniqueId } from '../support/fixtures.ts';
import { codeAt, completeInvitation, GOOD_PASSWORD, inviteUser, shiftClock } from '../support/auth.ts';

const cp = useControlPlane();
afterEach(() => shiftClock(cp, 0));

async function activeAdmin(security: SecuritySettings = {}) {
  const id = uniqueId('t');
  const t = await bootstrapTenant(cp.deps, { id, name: id, adminEmail: `admin@${id}.test`, security: { mfaRequired: false, ...security } });
  const done = await completeInvitation(cp, t.admin.email);
  return { ...t, secret: done.secret };
}

const login = (email: string, password: string) => client(cp.url).post('/v1/auth/login', { email, password });

async function failedAttemptsRecorded(userId: string): Promise<number> {
  return (await auditOf(cp, userId)).filter((e) => e.action === 'auth.login_failed').length;
}

describe('lockout', () => {
  it('locks after N failures (default 5) for M minutes (default 15), then refuses even the right password', async () => {
    const t = await activeAdmin();
    for (let i = 0; i < 5; i++) expect((await login(t.admin.email, 'wrong-password-guess')).body.code).toBe('INVALID_CREDENTIALS');
    const locked = await login(t.admin.email, GOOD_PASSWORD);
    expect(locked.status).toBe(423);
    expect(locked.body.code).toBe('ACCOUNT_LOCKED');
    const until = new Date(locked.body.lockedUntil).getTime();
    expect(until).toBeGreaterThan(Date.now() + 14 * 60_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 15 * 60_000);
    const row = await cp.deps.orm.em.fork().findOneOrFail(User, t.admin.id);
    expect(row.lockedUntil?.toISOString()).toBe(locked.body.lockedUntil);
  });

  it('50 parallel wrong attempts evaluate at most N passwords', async () => {
    const t = await activeAdmin();
    const before = await passwordVerifications(cp.url);
    const answers = await Promise.all(Array.from({ length: 50 }, () => login(t.admin.email, 'parallel-wrong-guess')));
    const evaluated = (await passwordVerifications(cp.url)) - before;
    expect(evaluated).toBe(5);
    expect(await failedAttemptsRecorded(t.admin.id)).toBe(5);
    const counts = answers.reduce<Record<number, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});
    expect(counts).toEqual({ 401: 5, 423: 45 });
  });

  it('unlocks by itself when the lockout time has passed (clock moved)', async () => {
    const t = await activeAdmin({ maxLoginAttempts: 3, lockoutMinutes: 5 });
    for (let i = 0; i < 3; i++) await login(t.admin.email, 'wrong-password-guess');
    // A tenant's own limits lock the account silently: the right password gets the
    // ordinary 401, so the limits tell an outsider nothing (test/security/login-enumeration).
    shiftClock(cp, 4 * 60_000);
    expect((await login(t.admin.email, GOOD_PASSWORD)).body.code).toBe('INVALID_CREDENTIALS');
    shiftClock(cp, 5 * 60_000 + 1000);
    const ok = await login(t.admin.email, GOOD_PASSWORD);
    expect(ok.status).toBe(200);
    // The count started again: one failure does not lock.
    expect((await login(t.admin.email, 'wrong-password-guess')).status).toBe(401);
    expect((await login(t.admin.email, GOOD_PASSWORD)).status).toBe(200);
  });

  it('an administrator unlocks', async () => {
    const t = await activeAdmin();
    const operator = await inviteUser(cp.deps, { tenantId: t.tenant.id, roleId: t.roles.TENANT.id, type: 'TENANT' });
    await activate(cp.deps, operator.id);
    const admin = client(cp.url, await tokenFor(cp.deps, operator.id));
    for (let i = 0; i < 5; i++) await login(t.admin.email, 'wrong-password-guess');
    expect((await login(t.admin.email, GOOD_PASSWORD)).status).toBe(423);
    const unlocked = await admin.post(`/v1/users/${t.admin.id}/unlock`);
    expect(unlocked.status).toBe(200);
    expect(unlocked.body).toEqual({ id: t.admin.id, lockedUntil: null });
    expect((await login(t.admin.email, GOOD_PASSWORD)).status).toBe(200);
    // Outside the caller's tenant the user does not exist.
    const other = await bootstrapTenant(cp.deps, { id: uniqueId('t'), name: 'Other', adminEmail: `admin@${uniqueId('o')}.test` });
    expect((await admin.post(`/v1/users/${other.admin.id}/unlock`)).status).toBe(404);
  });

  it('failed TOTP codes count toward the same lock', async () => {
    const t = await activeAdmin({ mfaRequired: true });
    const api = client(cp.url);
    const near = new Set([-30_000, 0, 30_000].map((o) => codeAt(t.secret!, o)));
    const wrong = ['000000', '111111', '222222', '333333', '444444', '555555', '666666'].filter((c) => !near.has(c));
    for (let i = 0; i < 5; i++) {
      const first = await login(t.admin.email, GOOD_PASSWORD);
      expect(first.body.mfaRequired).toBe(true);
      expect((await api.post('/v1/auth/login/totp', { mfaToken: first.body.mfaToken, code: wrong[i] })).body.code).toBe('TOTP_INVALID');
    }
    expect((await login(t.admin.email, GOOD_PASSWORD)).status).toBe(423);
  });

  it('unknown users get the same answer, after the same work, and lock alike', async () => {
    const t = await activeAdmin();
    const unknown = `nobody-${uniqueId('x')}@nowhere.test`;
    const dummy = () => readMetric(cp.url, 'control_plane_password_verifications_total{purpose="login",outcome="no_password"}').then((n) => n ?? 0);
    const [before, dummyBefore] = [await passwordVerifications(cp.url), await dummy()];
    const a = await login(unknown, 'some-password-guess');
    // One verification, of the dummy hash.
    expect((await passwordVerifications(cp.url)) - before).toBe(1);
    expect((await dummy()) - dummyBefore).toBe(1);
    const b = await login(t.admin.email, 'some-password-guess');
    expect(a.status).toBe(401);
    expect(a.body).toEqual(b.body);
    for (let i = 0; i < 4; i++) await login(unknown, 'some-password-guess');
    const locked = await login(unknown, 'some-password-guess');
    expect(locked.status).toBe(423);
    expect(locked.body.code).toBe('ACCOUNT_LOCKED');
  });

  it('disabled, soft-deleted and unfinished invited users get the generic 401, even with the right password', async () => {
    const t = await activeAdmin();
    const invited = await inviteUser(cp.deps, { tenantId: t.tenant.id, roleId: t.roles.TENANT.id, type: 'TENANT' });
    expect((await login(invited.email, GOOD_PASSWORD)).body.code).toBe('INVALID_CREDENTIALS');
    for (const status of ['DISABLED', 'SOFT_DEL'] as const) {
      await cp.deps.orm.em.fork().nativeUpdate(User, { id: t.admin.id }, { status });
      const res = await login(t.admin.email, GOOD_PASSWORD);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('INVALID_CREDENTIALS');
    }
  });
});
