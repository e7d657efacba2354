// The creation table of docs/domain.md#creation, for all three acting contexts, with the
// allowed and the refused cases, each with its status and code.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useControlPlane } from '../support/control-plane.ts';
import { uniqueId } from '../support/fixtures.ts';
import { newWorld, type Actor, type World } from '../support/worlds/admin.ts';
import { expectStatus } from '../support/expect.ts';

const cp = useControlPlane();
let w: World;
let r1: string;
let r2: string;
let direct: string;
let m1: string;
let m2: string;
let resellerAdmin: Actor;
let merchantAdmin: Actor;

beforeAll(async () => {
  w = await newWorld(cp);
  ({ r1, r2, m1, m2, resellerAdmin } = await w.twoResellers());
  direct = (await w.merchant()).id;
  merchantAdmin = await w.user(w.admin.api, { type: 'MERCHANT', merchantId: m1, roleId: w.roles.merchantAdmin });
});

describe('TENANT context creates resellers, merchants and users of every type', () => {
  it('creates a reseller and invites its admin with the Reseller Admin role', async () => {
    const id = uniqueId('r');
    const email = `${id}@Resellers.test`;
    const res = await w.admin.api.post('/v1/resellers', {
      id,
      name: 'North',
      email,
      type: 'ISO',
      security: { mfaRequired: true, maxLoginAttempts: 3, passwordPolicy: { minLength: 14 } },
      gateways: ['adyen', 'stripe'],
    });
    expectStatus(res, 201);
    expect(res.body).toMatchObject({ id, tenantId: w.tenant.id, security: { mfaRequired: true }, gateways: ['adyen', 'stripe'] });
    expect(res.body.admin).toMatchObject({
      email: email.toLowerCase(),
      type: 'RESELLER',
      resellerId: id,
      roleId: w.roles.resellerAdmin,
      status: 'INVITED',
    });
    const mailDir = new URL(cp.deps.config.MAIL_URL).pathname;
    const mails = await Promise.all((await readdir(mailDir)).map((f) => readFile(join(mailDir, f), 'utf8')));
    expect(mails.some((m) => m.includes(`To: ${email.toLowerCase()}`) && m.includes('/invitations/accept?token='))).toBe(true);
  });

  it('refuses a taken reseller id or an email already in use with 409 CONFLICT', async () => {
    expectStatus(await w.admin.api.post('/v1/resellers', { id: r1, name: 'x', email: 'fresh@x.test', type: 'ISO' }), 409, 'CONFLICT');
    expectStatus(await w.admin.api.post('/v1/resellers', { id: uniqueId('r'), name: 'x', email: w.admin.email, type: 'ISO' }), 409, 'CONFLICT');
  });

  it('creates a merchant with full configuration and initial roles, directly or under a reseller', async () => {
    const id = uniqueId('m');
    const res = await w.admin.api.post('/v1/merchants', {
      id,
      name: 'Corner Shop',
      email: `${id}@shops.test`,
      country: 'DE',
      resellerId: r1,
      settings: { mfaRequired: true, merchantTrack: 'enterprise', integrationTypes: ['api'], industry: 'retail' },
      platforms: ['web', 'ios'],
      products: ['p-1'],
      initialRoles: [{ name: 'Cashier', description: 'till', acl: { orders: 'RW', refunds: 'R' } }],
    });
    expectStatus(res, 201);
    expect(res.body).toMatchObject({ id, resellerId: r1, settings: { merchantTrack: 'enterprise' }, platforms: ['web', 'ios'], products: ['p-1'] });
    expect(res.body.initialRoles).toEqual([
      expect.objectContaining({ name: 'Cashier', scope: 'MERCHANT', ownerType: 'MERCHANT', ownerId: id, enabled: true, acl: { orders: 'RW', refunds: 'R' } }),
    ]);
    expectStatus(await w.admin.api.get(`/v1/roles/${res.body.initialRoles[0].id}`), 200);
  });

  it('creates users of every type; the type defaults to the context\'s', async () => {
    const tenantUser = await w.invite(w.admin.api, { roleId: w.roles.tenantAdmin });
    expectStatus(tenantUser, 201);
    expect(tenantUser.body).toMatchObject({ type: 'TENANT', resellerId: null, merchantId: null, status: 'INVITED' });
    const resellerUser = await w.invite(w.admin.api, { type: 'RESELLER', resellerId: r1, roleId: w.roles.resellerAdmin });
    expectStatus(resellerUser, 201);
    expect(resellerUser.body).toMatchObject({ type: 'RESELLER', resellerId: r1, merchantId: null });
    const merchantUser = await w.invite(w.admin.api, { type: 'MERCHANT', merchantId: m1, roleId: w.roles.merchantAdmin });
    expectStatus(merchantUser, 201);
    // A merchant user carries its merchant's reseller.
    expect(merchantUser.body).toMatchObject({ type: 'MERCHANT', merchantId: m1, resellerId: r1 });
    const directUser = await w.invite(w.admin.api, { type: 'MERCHANT', merchantId: direct, roleId: w.roles.merchantAdmin });
    expect(directUser.body).toMatchObject({ merchantId: direct, resellerId: null });
  });

  it('validates what the user type needs', async () => {
    expectStatus(await w.invite(w.admin.api, { type: 'RESELLER', roleId: w.roles.resellerAdmin }), 400, 'VALIDATION_FAILED');
    expectStatus(await w.invite(w.admin.api, { type: 'MERCHANT', roleId: w.roles.merchantAdmin }), 400, 'VALIDATION_FAILED');
    expectStatus(await w.invite(w.admin.api, { roleId: w.roles.tenantAdmin, merchantId: m1 }), 400, 'VALIDATION_FAILED');
    expectStatus(await w.invite(w.admin.api, { type: 'RESELLER', resellerId: 'nope', roleId: w.roles.resellerAdmin }), 404, 'NOT_FOUND');
    expectStatus(await w.invite(w.admin.api, { type: 'MERCHANT', merchantId: 'nope', roleId: w.roles.merchantAdmin }), 403, 'MERCHANT_OUT_OF_SCOPE');
    // A role of another scope, an unknown field, a taken email.
    expectStatus(await w.invite(w.admin.api, { roleId: w.roles.merchantAdmin }), 400, 'VALIDATION_FAILED');
    expectStatus(await w.invite(w.admin.api, { roleId: w.roles.tenantAdmin, isAdmin: true }), 400, 'VALIDATION_FAILED');
    expectStatus(await w.invite(w.admin.api, { roleId: w.roles.tenantAdmin, email: w.admin.email.toUpperCase() }), 409, 'CONFLICT');
  });
});

describe('RESELLER context creates merchants under its reseller, its reseller users, users of its merchants', () => {
  it('refuses resellers', async () => {
    const res = await resellerAdmin.api.post('/v1/resellers', { id: uniqueId('r'), name: 'x', email: `${uniqueId('e')}@x.test`, type: 'ISO' });
    expectStatus(res, 403, 'FORBIDDEN');
  });

  it('creates a merchant under its own reseller, with basic details only', async () => {
    const res = await resellerAdmin.api.post('/v1/merchants', {
      id: uniqueId('m'),
      name: 'Reseller shop',
      email: 'shop@r.test',
      country: 'FR',
      initialRoles: [{ name: 'Viewer', acl: { orders: 'R' } }],
    });
    expectStatus(res, 201);
    expect(res.body).toMatchObject({ resellerId: r1, settings: {}, platforms: [], products: [] });
    expect(res.body.initialRoles[0]).toMatchObject({ ownerType: 'MERCHANT', ownerId: res.body.id });
  });

  it('inherits the platform configuration: settings are refused, another reseller is not found', async () => {
    const base = { name: 'x', email: 'x@r.test', country: 'FR' };
    expectStatus(await resellerAdmin.api.post('/v1/merchants', { ...base, id: uniqueId('m'), settings: { industry: 'x' } }), 400, 'VALIDATION_FAILED');
    expectStatus(await resellerAdmin.api.post('/v1/merchants', { ...base, id: uniqueId('m'), resellerId: r2 }), 404, 'NOT_FOUND');
  });

  it('invites its reseller users (type defaults to RESELLER, resellerId to its own)', async () => {
    const res = await w.invite(resellerAdmin.api, { roleId: w.roles.resellerAdmin });
    expectStatus(res, 201);
    expect(res.body).toMatchObject({ type: 'RESELLER', resellerId: r1 });
    expectStatus(await w.invite(resellerAdmin.api, { roleId: w.roles.resellerAdmin, resellerId: r2 }), 404, 'NOT_FOUND');
  });

  it('invites users of its merchants only', async () => {
    const ok = await w.invite(resellerAdmin.api, { type: 'MERCHANT', merchantId: m1, roleId: w.roles.merchantAdmin });
    expectStatus(ok, 201);
    expect(ok.body).toMatchObject({ merchantId: m1, resellerId: r1 });
    expectStatus(await w.invite(resellerAdmin.api, { type: 'MERCHANT', merchantId: m2, roleId: w.roles.merchantAdmin }), 403, 'MERCHANT_OUT_OF_SCOPE');
    expectStatus(await w.invite(resellerAdmin.api, { type: 'MERCHANT', merchantId: direct, roleId: w.roles.merchantAdmin }), 403, 'MERCHANT_OUT_OF_SCOPE');
  });

  it('refuses tenant users', async () => {
    expectStatus(await w.invite(resellerAdmin.api, { type: 'TENANT', roleId: w.roles.tenantAdmin }), 403, 'FORBIDDEN');
  });
});

describe('MERCHANT context creates users of its merchant only', () => {
  it('invites merchant users of its own merchant (type and merchant default to the context)', async () => {
    const res = await w.invite(merchantAdmin.api, { roleId: w.roles.merchantAdmin });
    expectStatus(res, 201);
    expect(res.body).toMatchObject({ type: 'MERCHANT', merchantId: m1, resellerId: r1 });
  });

  it('refuses another merchant, reseller or tenant users, merchants and resellers', async () => {
    expectStatus(await w.invite(merchantAdmin.api, { merchantId: m2, roleId: w.roles.merchantAdmin }), 403, 'MERCHANT_OUT_OF_SCOPE');
    expectStatus(await w.invite(merchantAdmin.api, { type: 'RESELLER', roleId: w.roles.resellerAdmin }), 403, 'FORBIDDEN');
    expectStatus(await w.invite(merchantAdmin.api, { type: 'TENANT', roleId: w.roles.tenantAdmin }), 403, 'FORBIDDEN');
    const merchant = { id: uniqueId('m'), name: 'x', email: 'x@m.test', country: 'FR' };
    expectStatus(await merchantAdmin.api.post('/v1/merchants', merchant), 403, 'FORBIDDEN');
    const reseller = { id: uniqueId('r'), name: 'x', email: 'x@m.test', type: 'ISO' };
    expectStatus(await merchantAdmin.api.post('/v1/resellers', reseller), 403, 'FORBIDDEN');
  });
});

describe('resellers: create needs resellers: RW in TENANT context, and nothing more', () => {
  it('allows a custom tenant role with only resellers: RW, refuses one with resellers: R', async () => {
    const rw = await w.user(w.admin.api, { roleId: await w.role(w.admin.api, { scope: 'TENANT', acl: { resellers: 'RW' } }) });
    const r = await w.user(w.admin.api, { roleId: await w.role(w.admin.api, { scope: 'TENANT', acl: { resellers: 'R', users: 'RW' } }) });
    const body = () => ({ id: uniqueId('r'), name: 'x', email: `${uniqueId('e')}@x.test`, type: 'ISO' });
    expectStatus(await rw.api.post('/v1/resellers', body()), 201);
    expectStatus(await r.api.post('/v1/resellers', body()), 403, 'FORBIDDEN');
    // resellers: R lists and reads them.
    const list = await r.api.get('/v1/resellers');
    expectStatus(list, 200);
    expect(list.body.items.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining([r1, r2]));
  });
});

describe('documentation', () => {
  it('describes every administration route in OpenAPI, from the route schemas', async () => {
    const doc = (await w.admin.api.get('/docs/json')).body;
    for (const path of ['/v1/resellers', '/v1/merchants/{id}/users', '/v1/users/{id}/merchant-access', '/v1/roles/{id}/clone', '/v1/modules', '/v1/audit-events']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(doc.paths['/v1/users'].post.requestBody.content['application/json'].schema).toMatchObject({ additionalProperties: false });
  });
});
