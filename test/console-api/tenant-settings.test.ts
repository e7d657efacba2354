// GET/PATCH /v1/tenants/current (docs/http.md): the caller's own tenant, by
// the policy (tenants: R / RW in TENANT context), validated, audited with
// before/after in the same transaction; turning 2FA on ends the sessions of
// users who have not enrolled, on every gateway.
import { describe, expect, it } from 'vitest';
import { newWorld } from '../support/worlds/admin.ts';
import { expectStatus } from '../support/expect.ts';
import { auditOf } from '../support/audit.ts';
import { useControlPlane } from '../support/control-plane.ts';
import { client } from '../support/http.ts';

const cp = useControlPlane();

describe('GET /v1/tenants/current', () => {
  it("answers the caller's tenant with its settings, effective security and approval settings", async () => {
    const w = await newWorld(cp);
    const res = await w.admin.api.get('/v1/tenants/current');
    expectStatus(res, 200);
    expect(res.body).toMatchObject({
      id: w.tenant.id,
      name: w.tenant.name,
      approvals: { hardDeleteUser: false, roleLevelRaise: false },
      effectiveSecurity: { maxLoginAttempts: 5, lockoutMinutes: 15, passwordPolicy: { minLength: 12, maxLength: 128 } },
    });
  });

  it('another tenant answers its own, never the first one', async () => {
    const a = await newWorld(cp);
    const b = await newWorld(cp);
    expect((await b.admin.api.get('/v1/tenants/current')).body.id).toBe(b.tenant.id);
    expect((await a.admin.api.get('/v1/tenants/current')).body.id).toBe(a.tenant.id);
  });

  it('is refused outside TENANT context (403 FORBIDDEN)', async () => {
    const w = await newWorld(cp);
    const r = await w.reseller();
    const resellerAdmin = await w.actorFor(r.adminUserId);
    expectStatus(await resellerAdmin.api.get('/v1/tenants/current'), 403, 'FORBIDDEN');
  });
});

describe('PATCH /v1/tenants/current', () => {
  it('edits name and security, merging the password policy and approvals field by field, with one audit event', async () => {
    const w = await newWorld(cp);
    expectStatus(await w.admin.api.patch('/v1/tenants/current', { security: { passwordPolicy: { requireDigit: true } } }), 200);
    const res = await w.admin.api.patch('/v1/tenants/current', {
      name: 'Renamed Bank',
      security: { maxLoginAttempts: 3, passwordPolicy: { minLength: 14 }, approvals: { hardDeleteUser: true } },
    });
    expectStatus(res, 200);
    expect(res.body.name).toBe('Renamed Bank');
    expect(res.body.security).toMatchObject({ maxLoginAttempts: 3, passwordPolicy: { minLength: 14, requireDigit: true } });
    expect(res.body.effectiveSecurity).toMatchObject({ maxLoginAttempts: 3, lockoutMinutes: 15, passwordPolicy: { minLength: 14, requireDigit: true } });
    expect(res.body.approvals).toEqual({ hardDeleteUser: true, roleLevelRaise: false });
    expect((await w.admin.api.get('/v1/tenants/current/approval-settings')).body).toEqual({ hardDeleteUser: true, roleLevelRaise: false });
    const events = (await auditOf(cp, w.tenant.id)).filter((e) => e.action === 'tenant.update');
    expect(events).toHaveLength(2);
    expect(events[1]!.before).toMatchObject({ name: w.tenant.name, approvals: { hardDeleteUser: false } });
    expect(events[1]!.after).toMatchObject({ name: 'Renamed Bank', security: { maxLoginAttempts: 3 }, approvals: { hardDeleteUser: true } });
  });

  it.each([
    ['an unknown field', { name: 'x', plan: 'gold' }],
    ['an unknown security field', { security: { mfa: true } }],
    ['an empty body', {}],
    ['an empty name', { name: '' }],
    ['a non-boolean 2FA', { security: { mfaRequired: 'yes' } }],
    ['a minimum length below 8', { security: { passwordPolicy: { minLength: 4 } } }],
    ['a minimum above the maximum', { security: { passwordPolicy: { minLength: 40, maxLength: 20 } } }],
  ])('refuses %s (400 VALIDATION_FAILED) and changes nothing', async (_what, body) => {
    const w = await newWorld(cp);
    expectStatus(await w.admin.api.patch('/v1/tenants/current', body), 400, 'VALIDATION_FAILED');
    expect((await w.admin.api.get('/v1/tenants/current')).body.name).toBe(w.tenant.name);
    expect((await auditOf(cp, w.tenant.id)).filter((e) => e.action === 'tenant.update')).toEqual([]);
  });

  it('needs tenants: RW (a role with tenants: R reads but cannot edit), and TENANT context', async () => {
    const w = await newWorld(cp);
    const reader = await w.user(w.admin.api, { roleId: await w.role(w.admin.api, { scope: 'TENANT', acl: { tenants: 'R', users: 'R' } }) });
    expectStatus(await reader.api.get('/v1/tenants/current'), 200);
    expectStatus(await reader.api.patch('/v1/tenants/current', { name: 'Mine now' }), 403, 'FORBIDDEN');
    const m = await w.merchant();
    const inMerchant = await w.actorFor(w.admin.id, { type: 'MERCHANT', id: m.id });
    expectStatus(await inMerchant.api.patch('/v1/tenants/current', { name: 'Mine now' }), 403, 'FORBIDDEN');
    expect((await w.admin.api.get('/v1/tenants/current')).body.name).toBe(w.tenant.name);
  });

  it('turning 2FA on ends the sessions of users without 2FA; they enrol at their next login', async () => {
    const w = await newWorld(cp);
    const other = await w.user(w.admin.api, { roleId: w.roles.tenantAdmin });
    expectStatus(await other.api.get('/v1/me'), 200);
    const res = await w.admin.api.patch('/v1/tenants/current', { security: { mfaRequired: true } });
    expectStatus(res, 200);
    expect(res.body.effectiveSecurity.mfaRequired).toBe(true);
    expectStatus(await other.api.get('/v1/me'), 401);
    const events = (await auditOf(cp, w.tenant.id)).filter((e) => e.action === 'tenant.update');
    expect(events[0]!.after.sessionsEndedForMfa).toBeGreaterThanOrEqual(2);
    // Setting it again (already on) ends nothing more.
    const fresh = await w.actorFor(other.id);
    expectStatus(await fresh.api.get('/v1/me'), 200);
    const admin2 = await w.actorFor(w.admin.id);
    expectStatus(await admin2.api.patch('/v1/tenants/current', { security: { mfaRequired: true } }), 200);
    expectStatus(await fresh.api.get('/v1/me'), 200);
    // A password login now asks for enrolment.
    await cp.deps.orm.em.fork().getConnection().execute(
      `update users set password_hash = (select password_hash from users where id = ?) where id = ?`, [w.admin.id, other.id]);
    const login = await client(cp.url).post('/v1/auth/login', { email: other.email, password: 'correct horse battery staple' });
    expect(login.body.mfaSetupRequired).toBe(true);
  });
});
