// PATCH /v1/resellers/:id and PATCH /v1/merchants/:id (docs/http.md): by the
// policy (resellers: RW / merchants: RW), 404 outside the caller's scope,
// unknown fields refused, one audit event with before/after per edit, and a
// reseller editing only the basic details of its own merchants.
import { describe, expect, it } from 'vitest';
import { newWorld } from '../support/worlds/admin.ts';
import { expectStatus } from '../support/expect.ts';
import { auditOf } from '../support/audit.ts';
import { useControlPlane } from '../support/control-plane.ts';

const cp = useControlPlane();

describe('PATCH /v1/resellers/:id', () => {
  it('edits details, security (merged) and gateways; the audit event has before and after', async () => {
    const w = await newWorld(cp);
    const r = await w.reseller(w.admin.api, { security: { lockoutMinutes: 30 } });
    const res = await w.admin.api.patch(`/v1/resellers/${r.id}`, {
      name: 'Renamed ISO',
      email: 'Ops@ISO.test',
      type: 'PSP',
      security: { maxLoginAttempts: 4, passwordPolicy: { minLength: 16 } },
      gateways: ['gw-1', 'gw-2'],
    });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({
      id: r.id,
      name: 'Renamed ISO',
      email: 'ops@iso.test',
      type: 'PSP',
      security: { lockoutMinutes: 30, maxLoginAttempts: 4, passwordPolicy: { minLength: 16 } },
      gateways: ['gw-1', 'gw-2'],
    });
    expect((await w.admin.api.get(`/v1/resellers/${r.id}`)).body.name).toBe('Renamed ISO');
    const [event] = (await auditOf(cp, r.id)).filter((e) => e.action === 'reseller.update');
    expect(event!.before).toMatchObject({ name: r.body.name, type: 'ISO', gateways: [] });
    expect(event!.after).toMatchObject({ name: 'Renamed ISO', type: 'PSP', gateways: ['gw-1', 'gw-2'] });
  });

  it("another tenant's reseller and an unknown id are 404, and nothing changes", async () => {
    const a = await newWorld(cp);
    const b = await newWorld(cp);
    const theirs = await b.reseller();
    expectStatus(await a.admin.api.patch(`/v1/resellers/${theirs.id}`, { name: 'Taken' }), 404, 'NOT_FOUND');
    expectStatus(await a.admin.api.patch('/v1/resellers/no-such-reseller', { name: 'Taken' }), 404, 'NOT_FOUND');
    expect((await b.admin.api.get(`/v1/resellers/${theirs.id}`)).body.name).toBe(theirs.body.name);
  });

  it('needs resellers: RW in TENANT context: a reseller does not edit itself, a reader cannot edit', async () => {
    const w = await newWorld(cp);
    const r = await w.reseller();
    const own = await w.actorFor(r.adminUserId);
    expectStatus(await own.api.patch(`/v1/resellers/${r.id}`, { name: 'Self' }), 403, 'FORBIDDEN');
    const reader = await w.user(w.admin.api, { roleId: await w.role(w.admin.api, { scope: 'TENANT', acl: { resellers: 'R' } }) });
    expectStatus(await reader.api.patch(`/v1/resellers/${r.id}`, { name: 'Reader' }), 403, 'FORBIDDEN');
  });

  it.each([
    ['an unknown field', { name: 'x', tenantId: 'other' }],
    ['an id change', { id: 'new-id' }],
    ['an empty body', {}],
    ['a bad email', { email: 'not-an-email' }],
    ['an unknown security field', { security: { mfa: true } }],
  ])('refuses %s (400 VALIDATION_FAILED)', async (_what, body) => {
    const w = await newWorld(cp);
    const r = await w.reseller();
    expectStatus(await w.admin.api.patch(`/v1/resellers/${r.id}`, body), 400, 'VALIDATION_FAILED');
    expect((await auditOf(cp, r.id)).filter((e) => e.action === 'reseller.update')).toEqual([]);
  });

  it("turning the reseller's 2FA on ends its users' sessions without 2FA", async () => {
    const w = await newWorld(cp);
    const r = await w.reseller();
    const resellerAdmin = await w.actorFor(r.adminUserId);
    expectStatus(await resellerAdmin.api.get('/v1/me'), 200);
    expectStatus(await w.admin.api.patch(`/v1/resellers/${r.id}`, { security: { mfaRequired: true } }), 200);
    expectStatus(await resellerAdmin.api.get('/v1/me'), 401);
    // The tenant's own users are not governed by the reseller's setting.
    expectStatus(await w.admin.api.get('/v1/me'), 200);
  });
});

describe('PATCH /v1/merchants/:id', () => {
  it('TENANT context edits everything a creation sets; settings merge; the audit event has before and after', async () => {
    const w = await newWorld(cp);
    const m = await w.merchant(w.admin.api, { settings: { industry: 'retail' } });
    const res = await w.admin.api.patch(`/v1/merchants/${m.id}`, {
      name: 'Renamed Shop',
      email: 'Shop@Example.test',
      country: 'DE',
      settings: { merchantTrack: 'enterprise' },
      platforms: ['web'],
      products: ['p-1', 'p-2'],
    });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({
      id: m.id,
      name: 'Renamed Shop',
      email: 'shop@example.test',
      country: 'DE',
      settings: { industry: 'retail', merchantTrack: 'enterprise' },
      platforms: ['web'],
      products: ['p-1', 'p-2'],
    });
    const [event] = (await auditOf(cp, m.id)).filter((e) => e.action === 'merchant.update');
    expect(event!.before).toMatchObject({ name: m.body.name, country: 'NL', products: [] });
    expect(event!.after).toMatchObject({ name: 'Renamed Shop', country: 'DE', products: ['p-1', 'p-2'] });
  });

  it('RESELLER context edits the basic details of its own merchants only', async () => {
    const w = await newWorld(cp);
    const r = await w.reseller();
    const resellerAdmin = await w.actorFor(r.adminUserId);
    const mine = await w.merchant(resellerAdmin.api);
    expectStatus(await resellerAdmin.api.patch(`/v1/merchants/${mine.id}`, { name: 'Reseller Renamed', country: 'BE' }), 200);
    for (const body of [{ settings: { industry: 'x' } }, { platforms: ['web'] }, { products: ['p'] }]) {
      expectStatus(await resellerAdmin.api.patch(`/v1/merchants/${mine.id}`, body), 400, 'VALIDATION_FAILED');
    }
    const direct = await w.merchant();
    expectStatus(await resellerAdmin.api.patch(`/v1/merchants/${direct.id}`, { name: 'Not mine' }), 404, 'NOT_FOUND');
    expect((await w.admin.api.get(`/v1/merchants/${direct.id}`)).body.name).toBe(direct.body.name);
  });

  it('a merchant outside the caller\'s merchant access, or of another tenant, is 404', async () => {
    const w = await newWorld(cp);
    const m1 = await w.merchant();
    const m2 = await w.merchant();
    const limited = await w.user(w.admin.api, { roleId: await w.role(w.admin.api, { scope: 'TENANT', acl: { merchants: 'RW' } }), merchantsAccess: [m1.id] });
    expectStatus(await limited.api.patch(`/v1/merchants/${m1.id}`, { name: 'Reachable' }), 200);
    expectStatus(await limited.api.patch(`/v1/merchants/${m2.id}`, { name: 'Out of reach' }), 404, 'NOT_FOUND');
    const other = await newWorld(cp);
    expectStatus(await other.admin.api.patch(`/v1/merchants/${m1.id}`, { name: 'Other tenant' }), 404, 'NOT_FOUND');
  });

  it('needs merchants: RW, and is refused in MERCHANT context', async () => {
    const w = await newWorld(cp);
    const m = await w.merchant();
    const reader = await w.user(w.admin.api, { roleId: await w.role(w.admin.api, { scope: 'TENANT', acl: { merchants: 'R' } }) });
    expectStatus(await reader.api.patch(`/v1/merchants/${m.id}`, { name: 'Reader' }), 403, 'FORBIDDEN');
    const merchantAdmin = await w.user(w.admin.api, { type: 'MERCHANT', merchantId: m.id, roleId: w.roles.merchantAdmin });
    expectStatus(await merchantAdmin.api.patch(`/v1/merchants/${m.id}`, { name: 'Self' }), 403, 'FORBIDDEN');
  });

  it.each([
    ['an unknown field', { name: 'x', resellerId: 'r' }],
    ['an empty body', {}],
    ['a bad country', { country: 'Netherlands' }],
    ['an unknown settings field', { settings: { plan: 'gold' } }],
  ])('refuses %s (400 VALIDATION_FAILED)', async (_what, body) => {
    const w = await newWorld(cp);
    const m = await w.merchant();
    expectStatus(await w.admin.api.patch(`/v1/merchants/${m.id}`, body), 400, 'VALIDATION_FAILED');
    expect((await auditOf(cp, m.id)).filter((e) => e.action === 'merchant.update')).toEqual([]);
  });

  it("turning the merchant's 2FA on ends its users' sessions without 2FA", async () => {
    const w = await newWorld(cp);
    const m = await w.merchant();
    const merchantUser = await w.user(w.admin.api, { type: 'MERCHANT', merchantId: m.id, roleId: w.roles.merchantAdmin });
    expectStatus(await merchantUser.api.get('/v1/me'), 200);
    expectStatus(await w.admin.api.patch(`/v1/merchants/${m.id}`, { settings: { mfaRequired: true } }), 200);
    expectStatus(await merchantUser.api.get('/v1/me'), 401);
    expectStatus(await w.admin.api.get('/v1/me'), 200);
  });
});
