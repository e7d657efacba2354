// Merchant access (docs/domain.md#merchant-access): what `[]` and a list mean per user type, and
// every refusal of PUT /v1/users/:id/merchant-access in its order.
import { beforeAll, describe, expect, it } from 'vitest';
import { useControlPlane } from '../support/control-plane.ts';
import { randomUUID } from '../support/fixtures.ts';
import { newWorld, type Actor, type Api, type World } from '../support/worlds/admin.ts';
import { expectStatus } from '../support/expect.ts';

const cp = useControlPlane();
let w: World;
let r1: string;
let r2: string;
let direct: string;
let m1a: string;
let m1b: string;
let m2: string;
let resellerAdmin: Actor;
let tenantViewer: string;
let resellerViewer: string;

const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((x) => x.id).sort();
const access = (api: Api, userId: string, merchantsAccess: string[]) => api.put(`/v1/users/${userId}/merchant-access`, { merchantsAccess });

beforeAll(async () => {
  w = await newWorld(cp);
  const a = await w.reseller();
  r1 = a.id;
  r2 = (await w.reseller()).id;
  direct = (await w.merchant()).id;
  m1a = (await w.merchant(w.admin.api, { resellerId: r1 })).id;
  m1b = (await w.merchant(w.admin.api, { resellerId: r1 })).id;
  m2 = (await w.merchant(w.admin.api, { resellerId: r2 })).id;
  resellerAdmin = await w.actorFor(a.adminUserId);
  tenantViewer = await w.role(w.admin.api, { scope: 'TENANT', acl: { merchants: 'R', users: 'R' } });
  resellerViewer = await w.role(w.admin.api, { scope: 'RESELLER', acl: { merchants: 'R', users: 'R' } });
});

describe('what merchant access means', () => {
  it('[] gives a tenant user every merchant of the tenant, direct and under resellers', async () => {
    const u = await w.user(w.admin.api, { roleId: tenantViewer });
    expect(ids(await u.api.get('/v1/merchants'))).toEqual([direct, m1a, m1b, m2].sort());
  });

  it('[] gives a reseller user every merchant of its reseller, and nothing else', async () => {
    const u = await w.user(w.admin.api, { type: 'RESELLER', resellerId: r1, roleId: resellerViewer });
    expect(ids(await u.api.get('/v1/merchants'))).toEqual([m1a, m1b].sort());
    expectStatus(await u.api.get(`/v1/merchants/${m2}`), 404, 'NOT_FOUND');
  });

  it('a list gives exactly the listed merchants', async () => {
    const t = await w.user(w.admin.api, { roleId: tenantViewer, merchantsAccess: [direct, m2] });
    expect(ids(await t.api.get('/v1/merchants'))).toEqual([direct, m2].sort());
    expectStatus(await t.api.get(`/v1/merchants/${m1a}`), 404, 'NOT_FOUND');
    const r = await w.user(w.admin.api, { type: 'RESELLER', resellerId: r1, roleId: resellerViewer, merchantsAccess: [m1b] });
    expect(ids(await r.api.get('/v1/merchants'))).toEqual([m1b]);
  });

  it('a reseller user\'s list stays under its reseller', async () => {
    const res = await w.invite(w.admin.api, { type: 'RESELLER', resellerId: r1, roleId: resellerViewer, merchantsAccess: [m1a, m2] });
    expectStatus(res, 403, 'MERCHANT_OUT_OF_SCOPE');
  });

  it('a merchant user cannot hold a list', async () => {
    const res = await w.invite(w.admin.api, { type: 'MERCHANT', merchantId: m1a, roleId: w.roles.merchantAdmin, merchantsAccess: [m1a] });
    expectStatus(res, 400, 'VALIDATION_FAILED');
    const mu = await w.user(w.admin.api, { type: 'MERCHANT', merchantId: m1a, roleId: w.roles.merchantAdmin });
    expectStatus(await access(w.admin.api, mu.id, [m1a]), 400, 'VALIDATION_FAILED');
  });
});

describe('updating merchant access', () => {
  it('replaces the list, writes one audit event and takes effect on the next request', async () => {
    const u = await w.user(w.admin.api, { type: 'RESELLER', resellerId: r1, roleId: resellerViewer });
    const res = await access(w.admin.api, u.id, [m1b]);
    expectStatus(res, 200);
    expect(res.body.merchantsAccess).toEqual([m1b]);
    expect(ids(await u.api.get('/v1/merchants'))).toEqual([m1b]);
    const events = await w.admin.api.get(`/v1/audit-events?targetId=${u.id}&action=user.merchant_access.update`);
    expect(events.body.items).toHaveLength(1);
    expect(events.body.items[0]).toMatchObject({ before: { merchantsAccess: [] }, after: { merchantsAccess: [m1b] } });
    // Back to [] = all of its reseller.
    expectStatus(await access(w.admin.api, u.id, []), 200);
    expect(ids(await u.api.get('/v1/merchants'))).toEqual([m1a, m1b].sort());
  });

  it('a reseller admin updates its reseller users within its reseller', async () => {
    const u = await w.user(resellerAdmin.api, { roleId: resellerViewer });
    expectStatus(await access(resellerAdmin.api, u.id, [m1a]), 200);
  });

  it('refuses oneself: 403 SELF_MODIFICATION', async () => {
    expectStatus(await access(w.admin.api, w.admin.id, [direct]), 403, 'SELF_MODIFICATION');
    expectStatus(await access(resellerAdmin.api, resellerAdmin.id, [m1a]), 403, 'SELF_MODIFICATION');
  });

  it('refuses a user that is not ACTIVE: 409 USER_NOT_ACTIVE', async () => {
    const invited = await w.invite(w.admin.api, { roleId: tenantViewer });
    expectStatus(await access(w.admin.api, invited.body.id, [direct]), 409, 'USER_NOT_ACTIVE');
    const disabled = await w.user(w.admin.api, { roleId: tenantViewer });
    expectStatus(await w.admin.api.post(`/v1/users/${disabled.id}/disable`), 200);
    expectStatus(await access(w.admin.api, disabled.id, [direct]), 409, 'USER_NOT_ACTIVE');
  });

  it('refuses the same set: 409 MERCHANT_ACCESS_UNCHANGED', async () => {
    const u = await w.user(w.admin.api, { roleId: tenantViewer, merchantsAccess: [direct, m1a] });
    expectStatus(await access(w.admin.api, u.id, [m1a, direct]), 409, 'MERCHANT_ACCESS_UNCHANGED');
    const all = await w.user(w.admin.api, { roleId: tenantViewer });
    expectStatus(await access(w.admin.api, all.id, []), 409, 'MERCHANT_ACCESS_UNCHANGED');
  });

  it('refuses merchants out of scope: 403 MERCHANT_OUT_OF_SCOPE', async () => {
    const u = await w.user(resellerAdmin.api, { roleId: resellerViewer });
    // Another reseller's merchant, a direct one, one that does not exist, another tenant's.
    const other = await newWorld(cp);
    const foreign = (await other.merchant()).id;
    for (const m of [m2, direct, 'no-such-merchant', foreign]) {
      expectStatus(await access(resellerAdmin.api, u.id, [m1a, m]), 403, 'MERCHANT_OUT_OF_SCOPE');
    }
    // From the tenant context too: a reseller user's list stays under its reseller.
    expectStatus(await access(w.admin.api, u.id, [m2]), 403, 'MERCHANT_OUT_OF_SCOPE');
  });

  it('refuses granting all merchants from an actor that does not reach all', async () => {
    const limited = await w.user(w.admin.api, {
      roleId: await w.role(w.admin.api, { scope: 'TENANT', acl: { tenants: 'RW', users: 'RW', merchants: 'R' } }),
      merchantsAccess: [direct, m1a],
    });
    const u = await w.user(w.admin.api, { roleId: tenantViewer, merchantsAccess: [direct] });
    expectStatus(await access(limited.api, u.id, [direct, m1a]), 200);
    expectStatus(await access(limited.api, u.id, [m2]), 403, 'MERCHANT_OUT_OF_SCOPE');
    expectStatus(await access(limited.api, u.id, []), 403, 'MERCHANT_OUT_OF_SCOPE');
  });

  it('refuses the MERCHANT context: 403 FORBIDDEN', async () => {
    const ma = await w.user(w.admin.api, { type: 'MERCHANT', merchantId: m1a, roleId: w.roles.merchantAdmin });
    const mu = await w.user(ma.api, { roleId: w.roles.merchantAdmin });
    expectStatus(await access(ma.api, mu.id, []), 403, 'FORBIDDEN');
    // A tenant admin switched into a merchant context is refused the same way.
    const switched = await w.actorFor(w.admin.id, { type: 'MERCHANT', id: m1a });
    expectStatus(await access(switched.api, mu.id, []), 403, 'FORBIDDEN');
  });

  it('refuses without tenants: RW (TENANT ctx) or resellers: RW (RESELLER ctx): 403 FORBIDDEN', async () => {
    const target = await w.user(w.admin.api, { type: 'RESELLER', resellerId: r1, roleId: resellerViewer });
    const usersOnly = await w.user(w.admin.api, { roleId: await w.role(w.admin.api, { scope: 'TENANT', acl: { users: 'RW', tenants: 'R', resellers: 'RW' } }) });
    expectStatus(await access(usersOnly.api, target.id, [m1a]), 403, 'FORBIDDEN');
    const resellerUsersOnly = await w.user(w.admin.api, {
      type: 'RESELLER',
      resellerId: r1,
      roleId: await w.role(w.admin.api, { scope: 'RESELLER', acl: { users: 'RW', tenants: 'RW', resellers: 'R' } }),
    });
    expectStatus(await access(resellerUsersOnly.api, target.id, [m1a]), 403, 'FORBIDDEN');
  });

  it('checks in order: context and ACL, then not found, then self', async () => {
    const ma = await w.user(w.admin.api, { type: 'MERCHANT', merchantId: m1a, roleId: w.roles.merchantAdmin });
    expectStatus(await access(ma.api, ma.id, []), 403, 'FORBIDDEN');
    expectStatus(await access(ma.api, randomUUID(), []), 403, 'FORBIDDEN');
    expectStatus(await access(w.admin.api, randomUUID(), []), 404, 'NOT_FOUND');
    // A user of another reseller is not found from this reseller's context.
    const elsewhere = await w.user(w.admin.api, { type: 'RESELLER', resellerId: r2, roleId: resellerViewer });
    expectStatus(await access(resellerAdmin.api, elsewhere.id, [m1a]), 404, 'NOT_FOUND');
  });
});
