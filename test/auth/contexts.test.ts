// Contexts (docs/domain.md#contexts): what each kind of user may enter, switching, /me.
import { describe, expect, it } from 'vitest';
import { useControlPlane } from '../support/control-plane.ts';
import { client } from '../support/http.ts';
import { activate, newTenant, uniqueId } from '../support/fixtures.ts';
import { User } from '../../src/users/user.entity.ts';
import { createMerchant, createReseller, inviteUser } from '../support/auth.ts';

const PASSWORD = 'correct horse battery staple';

const cp = useControlPlane();

/** A tenant with two resellers, merchants direct and under them, and users of every type. */
async function hierarchy() {
  const t = await newTenant(cp.deps);
  const tid = t.tenant.id;
  const r1 = await createReseller(cp.deps, tid);
  const r2 = await createReseller(cp.deps, tid);
  const direct = await createMerchant(cp.deps, tid, { name: 'Direct Coffee' });
  const m1 = await createMerchant(cp.deps, tid, { resellerId: r1.id, name: 'Alpha Books' });
  const m2 = await createMerchant(cp.deps, tid, { resellerId: r1.id, name: 'Beta Bikes' });
  const m3 = await createMerchant(cp.deps, tid, { resellerId: r2.id, name: 'Gamma Games' });
  await activate(cp.deps, t.admin.id);
  const user = async (input: Parameters<typeof inviteUser>[1]) => {
    const u = await inviteUser(cp.deps, input);
    await activate(cp.deps, u.id);
    return u;
  };
  const limitedTenant = await user({ tenantId: tid, roleId: t.roles.TENANT.id, type: 'TENANT', merchantsAccess: [m1.id] });
  const resellerUser = await user({ tenantId: tid, roleId: t.roles.RESELLER.id, type: 'RESELLER', resellerId: r1.id });
  const limitedReseller = await user({ tenantId: tid, roleId: t.roles.RESELLER.id, type: 'RESELLER', resellerId: r1.id, merchantsAccess: [m2.id] });
  const merchantUser = await user({ tenantId: tid, roleId: t.roles.MERCHANT.id, type: 'MERCHANT', merchantId: m1.id, resellerId: r1.id });
  return { t, r1, r2, direct, m1, m2, m3, limitedTenant, resellerUser, limitedReseller, merchantUser };
}

async function session(email: string) {
  const res = await client(cp.url).post('/v1/auth/login', { email, password: PASSWORD });
  expect(res.status).toBe(200);
  return res.body as { accessToken: string; refreshToken: string; context: { type: string; id: string } };
}

const ids = (items: { type: string; id: string }[]) => items.map((i) => `${i.type}:${i.id}`);

describe('contexts', () => {
  it('lists what each user may enter; login starts at home', async () => {
    const h = await hierarchy();
    const all = async (email: string) => {
      const s = await session(email);
      const res = await client(cp.url, s.accessToken).get('/v1/auth/contexts');
      expect(res.status).toBe(200);
      return { home: s.context, items: ids(res.body.items) };
    };
    const admin = await all(h.t.admin.email);
    expect(admin.home).toEqual({ type: 'TENANT', id: h.t.tenant.id });
    expect(admin.items).toEqual([
      `TENANT:${h.t.tenant.id}`,
      ...[h.r1.id, h.r2.id].sort().map((id) => `RESELLER:${id}`),
      ...[h.direct.id, h.m1.id, h.m2.id, h.m3.id].sort().map((id) => `MERCHANT:${id}`),
    ]);
    expect((await all(h.limitedTenant.email)).items).toEqual([`TENANT:${h.t.tenant.id}`, `RESELLER:${h.r1.id}`, `MERCHANT:${h.m1.id}`]);
    const reseller = await all(h.resellerUser.email);
    expect(reseller.home).toEqual({ type: 'RESELLER', id: h.r1.id });
    expect(reseller.items).toEqual([`RESELLER:${h.r1.id}`, ...[h.m1.id, h.m2.id].sort().map((id) => `MERCHANT:${id}`)]);
    expect((await all(h.limitedReseller.email)).items).toEqual([`RESELLER:${h.r1.id}`, `MERCHANT:${h.m2.id}`]);
    const merchant = await all(h.merchantUser.email);
    expect(merchant.home).toEqual({ type: 'MERCHANT', id: h.m1.id });
    expect(merchant.items).toEqual([`MERCHANT:${h.m1.id}`]);
  });

  it('searches by name or id and paginates with a cursor', async () => {
    const h = await hierarchy();
    const api = client(cp.url, (await session(h.t.admin.email)).accessToken);
    const found = await api.get('/v1/auth/contexts?q=beta');
    expect(found.body.items).toEqual([{ type: 'MERCHANT', id: h.m2.id, name: 'Beta Bikes' }]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { type: string; id: string }[]; nextCursor: string | null } } = await api.get(
        `/v1/auth/contexts?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...ids(page.body.items));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect((await api.get('/v1/auth/contexts?cursor=garbage')).status).toBe(400);
  });
});

describe('switch', () => {
  it('into a permitted merchant: new tokens in that context, /me shows it', async () => {
    const h = await hierarchy();
    const home = await session(h.limitedTenant.email);
    const api = client(cp.url, home.accessToken);
    const switched = await api.post('/v1/auth/switch', { type: 'MERCHANT', id: h.m1.id });
    expect(switched.status).toBe(200);
    expect(switched.body.context).toEqual({ type: 'MERCHANT', id: h.m1.id });
    const me = await client(cp.url, switched.body.accessToken).get('/v1/me');
    expect(me.body.context).toEqual({ type: 'MERCHANT', id: h.m1.id });
    // A new session: the home one still works, and refresh keeps each context.
    expect((await api.get('/v1/me')).body.context).toEqual({ type: 'TENANT', id: h.t.tenant.id });
    const refreshed = await client(cp.url).post('/v1/auth/refresh', { refreshToken: switched.body.refreshToken });
    expect(refreshed.body.context).toEqual({ type: 'MERCHANT', id: h.m1.id });
    // A reseller that owns the listed merchant is enterable too.
    expect((await api.post('/v1/auth/switch', { type: 'RESELLER', id: h.r1.id })).status).toBe(200);
  });

  it('refused outside merchant access, outside the tenant, and for merchant users', async () => {
    const h = await hierarchy();
    const limited = client(cp.url, (await session(h.limitedTenant.email)).accessToken);
    for (const target of [
      { type: 'MERCHANT', id: h.m2.id },
      { type: 'MERCHANT', id: h.direct.id },
      { type: 'RESELLER', id: h.r2.id },
      { type: 'MERCHANT', id: 'does-not-exist' },
    ]) {
      const res = await limited.post('/v1/auth/switch', target);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('CONTEXT_FORBIDDEN');
    }
    const other = await hierarchy();
    expect((await limited.post('/v1/auth/switch', { type: 'MERCHANT', id: other.m1.id })).body.code).toBe('CONTEXT_FORBIDDEN');
    expect((await limited.post('/v1/auth/switch', { type: 'TENANT', id: other.t.tenant.id })).body.code).toBe('CONTEXT_FORBIDDEN');

    const reseller = client(cp.url, (await session(h.resellerUser.email)).accessToken);
    expect((await reseller.post('/v1/auth/switch', { type: 'MERCHANT', id: h.m3.id })).body.code).toBe('CONTEXT_FORBIDDEN');
    expect((await reseller.post('/v1/auth/switch', { type: 'TENANT', id: h.t.tenant.id })).body.code).toBe('CONTEXT_FORBIDDEN');
    expect((await reseller.post('/v1/auth/switch', { type: 'MERCHANT', id: h.m2.id })).status).toBe(200);

    const merchant = client(cp.url, (await session(h.merchantUser.email)).accessToken);
    expect((await merchant.post('/v1/auth/switch', { type: 'MERCHANT', id: h.m2.id })).body.code).toBe('CONTEXT_FORBIDDEN');
    expect((await merchant.post('/v1/auth/switch', { type: 'RESELLER', id: h.r1.id })).body.code).toBe('CONTEXT_FORBIDDEN');
  });

  it('a session in a context the user can no longer enter is not renewed', async () => {
    const h = await hierarchy();
    const home = await session(h.limitedTenant.email);
    const switched = await client(cp.url, home.accessToken).post('/v1/auth/switch', { type: 'MERCHANT', id: h.m1.id });
    await cp.deps.orm.em.fork().nativeUpdate(User, { id: h.limitedTenant.id }, { merchantsAccess: [h.m2.id] });
    const res = await client(cp.url).post('/v1/auth/refresh', { refreshToken: switched.body.refreshToken });
    expect(res.status).toBe(401);
    expect((await client(cp.url).post('/v1/auth/refresh', { refreshToken: home.refreshToken })).status).toBe(200);
  });

  it('an access token for a context the user can no longer enter is refused at once', async () => {
    const h = await hierarchy();
    const home = await session(h.limitedTenant.email);
    const switched = await client(cp.url, home.accessToken).post('/v1/auth/switch', { type: 'MERCHANT', id: h.m1.id });
    const inMerchant = client(cp.url, switched.body.accessToken);
    expect((await inMerchant.get('/v1/me')).status).toBe(200);
    await cp.deps.orm.em.fork().nativeUpdate(User, { id: h.limitedTenant.id }, { merchantsAccess: [h.m2.id] });
    const res = await inMerchant.get('/v1/me');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('CONTEXT_FORBIDDEN');
    expect((await client(cp.url, home.accessToken).get('/v1/me')).status).toBe(200);
  });

  it('validates the body', async () => {
    const h = await hierarchy();
    const api = client(cp.url, (await session(h.t.admin.email)).accessToken);
    expect((await api.post('/v1/auth/switch', { type: 'GALAXY', id: 'x' })).status).toBe(400);
    expect((await api.post('/v1/auth/switch', { type: 'MERCHANT', id: h.m1.id, extra: 1 })).status).toBe(400);
    void uniqueId;
  });
});
