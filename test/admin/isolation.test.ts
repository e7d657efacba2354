// Scope: a reseller user never sees or touches another reseller's merchants
// or users, a merchant user sees its merchant only, and nothing crosses
// tenants. Out of scope answers 404, exactly like what does not exist.
import { beforeAll, describe, expect, it } from 'vitest';
import { useControlPlane } from '../support/control-plane.ts';
import { uniqueId } from '../support/fixtures.ts';
import { newWorld, type Actor, type Api, type World } from '../support/worlds/admin.ts';
import { expectStatus } from '../support/expect.ts';

const cp = useControlPlane();
let w: World;
let r1: string;
let r2: string;
let m1: string;
let m2: string;
let resellerAdmin: Actor;
let mine: Actor; // a reseller user of r1
let theirs: Actor; // a reseller user of r2
let theirMerchantUser: Actor; // a merchant user of m2
let theirRole: string; // owned by r2

const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((x) => x.id);

/** Every route that acts on one user, each expected to answer `status` for `userId`. */
async function everyUserRoute(api: Api, userId: string, roleId: string) {
  return Promise.all([
    api.get(`/v1/users/${userId}`),
    api.patch(`/v1/users/${userId}/role`, { roleId }),
    api.put(`/v1/users/${userId}/merchant-access`, { merchantsAccess: [] }),
    api.put(`/v1/users/${userId}/restrictions`, { productIds: ['p'], gatewayRefIds: [] }),
    api.post(`/v1/users/${userId}/enable`),
    api.post(`/v1/users/${userId}/disable`),
    api.post(`/v1/users/${userId}/soft-delete`),
    api.post(`/v1/users/${userId}/restore`),
    api.delete(`/v1/users/${userId}`),
  ]);
}

beforeAll(async () => {
  w = await newWorld(cp);
  const pair = await w.twoResellers();
  ({ r1, r2, m1, m2, resellerAdmin } = pair);
  const otherAdmin = await w.actorFor(pair.b.adminUserId);
  theirRole = await w.role(otherAdmin.api, { scope: 'RESELLER', acl: { users: 'R' } });
  mine = await w.user(resellerAdmin.api, { roleId: w.roles.resellerAdmin });
  theirs = await w.user(otherAdmin.api, { roleId: theirRole });
  theirMerchantUser = await w.user(otherAdmin.api, { type: 'MERCHANT', merchantId: m2, roleId: w.roles.merchantAdmin });
});

describe('a reseller user and another reseller', () => {
  it('sees only its reseller\'s merchants', async () => {
    const list = await resellerAdmin.api.get('/v1/merchants');
    expect(ids(list)).toEqual([m1]);
    expectStatus(await resellerAdmin.api.get(`/v1/merchants/${m2}`), 404, 'NOT_FOUND');
    expectStatus(await resellerAdmin.api.get(`/v1/merchants/${m2}/users`), 404, 'NOT_FOUND');
    expect(ids(await resellerAdmin.api.get(`/v1/merchants?q=${m2}`))).toEqual([]);
  });

  it('sees only its reseller and its users', async () => {
    expect(ids(await resellerAdmin.api.get('/v1/resellers'))).toEqual([r1]);
    expectStatus(await resellerAdmin.api.get(`/v1/resellers/${r2}`), 404, 'NOT_FOUND');
    expectStatus(await resellerAdmin.api.get(`/v1/resellers/${r2}/users`), 404, 'NOT_FOUND');
    const users = ids(await resellerAdmin.api.get('/v1/users?limit=100'));
    expect(users).toEqual(expect.arrayContaining([resellerAdmin.id, mine.id]));
    expect(users).not.toContain(theirs.id);
    expect(users).not.toContain(theirMerchantUser.id);
    expect(users).not.toContain(w.admin.id);
    expect(ids(await resellerAdmin.api.get(`/v1/resellers/${r1}/users`)).sort()).toEqual([resellerAdmin.id, mine.id].sort());
  });

  it('cannot touch another reseller\'s users or merchant users: 404 on every route', async () => {
    for (const target of [theirs.id, theirMerchantUser.id, w.admin.id]) {
      const answers = await everyUserRoute(resellerAdmin.api, target, w.roles.resellerAdmin);
      const hardDelete = answers.pop()!;
      for (const res of answers) expectStatus(res, 404, 'NOT_FOUND');
      // Reseller Admin holds no user_hard_delete (docs/domain.md#roles): refused before any lookup,
      // the same answer for every id, so it reveals nothing either.
      expectStatus(hardDelete, 403, 'FORBIDDEN');
    }
    // Untouched.
    expect((await w.admin.api.get(`/v1/users/${theirs.id}`)).body.status).toBe('ACTIVE');
  });

  it('cannot create under another reseller or give access to its merchants', async () => {
    expectStatus(await w.invite(resellerAdmin.api, { type: 'MERCHANT', merchantId: m2, roleId: w.roles.merchantAdmin }), 403, 'MERCHANT_OUT_OF_SCOPE');
    expectStatus(await w.invite(resellerAdmin.api, { resellerId: r2, roleId: w.roles.resellerAdmin }), 404, 'NOT_FOUND');
    const m = { id: uniqueId('m'), name: 'x', email: 'x@x.test', country: 'NL', resellerId: r2 };
    expectStatus(await resellerAdmin.api.post('/v1/merchants', m), 404, 'NOT_FOUND');
    expectStatus(await resellerAdmin.api.put(`/v1/users/${mine.id}/merchant-access`, { merchantsAccess: [m2] }), 403, 'MERCHANT_OUT_OF_SCOPE');
  });

  it('does not see another reseller\'s roles or audit events', async () => {
    expectStatus(await resellerAdmin.api.get(`/v1/roles/${theirRole}`), 404, 'NOT_FOUND');
    expect(ids(await resellerAdmin.api.get('/v1/roles?limit=100'))).not.toContain(theirRole);
    expectStatus(await w.invite(resellerAdmin.api, { roleId: theirRole }), 404, 'NOT_FOUND');
    const events = await resellerAdmin.api.get('/v1/audit-events?limit=100');
    expectStatus(events, 200);
    expect(events.body.items.length).toBeGreaterThan(0);
    for (const e of events.body.items) expect(e).toMatchObject({ contextType: 'RESELLER', contextId: r1 });
  });
});

describe('a merchant user', () => {
  it('sees only its merchant and its merchant\'s users', async () => {
    const ma = await w.user(w.admin.api, { type: 'MERCHANT', merchantId: m1, roleId: w.roles.merchantAdmin });
    const colleague = await w.user(ma.api, { roleId: w.roles.merchantAdmin });
    expect(ids(await ma.api.get('/v1/merchants'))).toEqual([m1]);
    expect(ids(await ma.api.get('/v1/users')).sort()).toEqual([ma.id, colleague.id].sort());
    expectStatus(await ma.api.get(`/v1/users/${mine.id}`), 404, 'NOT_FOUND');
    expectStatus(await ma.api.get(`/v1/merchants/${m2}`), 404, 'NOT_FOUND');
    expectStatus(await ma.api.get('/v1/resellers'), 403, 'FORBIDDEN');
  });
});

describe('nothing crosses tenants', () => {
  let other: World;
  beforeAll(async () => {
    other = await newWorld(cp);
  });

  it('another tenant\'s records are not found, listed or searchable', async () => {
    const api = other.admin.api;
    expectStatus(await api.get(`/v1/users/${mine.id}`), 404, 'NOT_FOUND');
    expectStatus(await api.get(`/v1/merchants/${m1}`), 404, 'NOT_FOUND');
    expectStatus(await api.get(`/v1/resellers/${r1}`), 404, 'NOT_FOUND');
    expectStatus(await api.get(`/v1/roles/${w.roles.tenantAdmin}`), 404, 'NOT_FOUND');
    expectStatus(await api.get(`/v1/roles/${theirRole}`), 404, 'NOT_FOUND');
    const users = ids(await api.get('/v1/users?limit=100'));
    expect(users).toEqual([other.admin.id]);
    expect(ids(await api.get('/v1/merchants?limit=100'))).toEqual([]);
    expect(ids(await api.get('/v1/resellers?limit=100'))).toEqual([]);
    expect(ids(await api.get(`/v1/users?q=${encodeURIComponent(mine.email)}`))).toEqual([]);
    const roles = (await api.get('/v1/roles?limit=100')).body.items as { tenantId: string }[];
    expect(roles.every((r) => r.tenantId === other.tenant.id)).toBe(true);
    const events = (await api.get('/v1/audit-events?limit=100')).body.items as { tenantId: string }[];
    expect(events.every((e) => e.tenantId === other.tenant.id)).toBe(true);
  });

  it('another tenant\'s users cannot be changed, nor its roles, resellers or merchants used', async () => {
    const api = other.admin.api;
    for (const res of await everyUserRoute(api, mine.id, other.roles.resellerAdmin)) expectStatus(res, 404, 'NOT_FOUND');
    expectStatus(await api.patch(`/v1/roles/${theirRole}`, { name: 'x' }), 404, 'NOT_FOUND');
    expectStatus(await api.delete(`/v1/roles/${theirRole}`), 404, 'NOT_FOUND');
    expectStatus(await api.post(`/v1/roles/${theirRole}/clone`), 404, 'NOT_FOUND');
    expectStatus(await other.invite(api, { roleId: w.roles.tenantAdmin }), 404, 'NOT_FOUND');
    expectStatus(await other.invite(api, { type: 'RESELLER', resellerId: r1, roleId: other.roles.resellerAdmin }), 404, 'NOT_FOUND');
    expectStatus(await other.invite(api, { type: 'MERCHANT', merchantId: m1, roleId: other.roles.merchantAdmin }), 403, 'MERCHANT_OUT_OF_SCOPE');
    expectStatus(await other.invite(api, { roleId: other.roles.tenantAdmin, merchantsAccess: [m1] }), 403, 'MERCHANT_OUT_OF_SCOPE');
    expectStatus(await api.post('/v1/merchants', { id: uniqueId('m'), name: 'x', email: 'x@x.test', country: 'NL', resellerId: r1 }), 404, 'NOT_FOUND');
    // Ids are global: a taken one is a conflict, whoever took it.
    expectStatus(await api.post('/v1/merchants', { id: m1, name: 'x', email: 'x@x.test', country: 'NL' }), 409, 'CONFLICT');
    expect((await w.admin.api.get(`/v1/users/${mine.id}`)).body).toMatchObject({ status: 'ACTIVE', roleId: w.roles.resellerAdmin });
  });
});
