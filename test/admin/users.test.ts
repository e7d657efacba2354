// Users (docs/domain.md#user-lifecycle): the lifecycle, restrictions, listing with filters and
// cursor pagination, and the announcements gateways rely on.
import { beforeAll, describe, expect, it } from 'vitest';
import { authzChannel } from '../../core/changes/authz-changes.ts';
import { connectRedis, createRedis } from '../../core/infra/redis.ts';
import { useControlPlane } from '../support/control-plane.ts';
import { activate } from '../support/fixtures.ts';
import type { Reply } from '../support/http.ts';
import { newWorld, type Actor, type World } from '../support/worlds/admin.ts';
import { expectStatus } from '../support/expect.ts';

const cp = useControlPlane();
let w: World;
let viewer: string; // users: R
let nobody: string; // grants nothing

beforeAll(async () => {
  w = await newWorld(cp);
  viewer = await w.role(w.admin.api, { scope: 'TENANT', acl: { users: 'R' } });
  nobody = await w.role(w.admin.api, { scope: 'TENANT', acl: {} });
});

const post = (a: Actor, u: Actor | string, action: string) => a.api.post(`/v1/users/${typeof u === 'string' ? u : u.id}/${action}`);

describe('lifecycle', () => {
  it('disable ends every session at once; enable restores the user', async () => {
    const u = await w.user(w.admin.api, { roleId: viewer });
    expectStatus(await u.api.get('/v1/users'), 200);
    const disabled = await post(w.admin, u, 'disable');
    expectStatus(disabled, 200);
    expect(disabled.body).toMatchObject({ status: 'DISABLED', enabled: false });
    expectStatus(await u.api.get('/v1/users'), 401, 'UNAUTHENTICATED');
    expectStatus(await post(w.admin, u, 'disable'), 409, 'USER_NOT_ACTIVE');
    const enabled = await post(w.admin, u, 'enable');
    expectStatus(enabled, 200);
    expect(enabled.body).toMatchObject({ status: 'ACTIVE', enabled: true });
    expectStatus(await post(w.admin, u, 'enable'), 409, 'CONFLICT');
  });

  it('an invited user cannot be disabled', async () => {
    const invited = await w.invite(w.admin.api, { roleId: viewer });
    expectStatus(await post(w.admin, invited.body.id, 'disable'), 409, 'USER_NOT_ACTIVE');
  });

  it('soft delete ends sessions and is reversible: ACTIVE again when a password was set, else INVITED', async () => {
    const u = await w.user(w.admin.api, { roleId: viewer });
    await activate(cp.deps, u.id);
    const deleted = await post(w.admin, u, 'soft-delete');
    expectStatus(deleted, 200);
    expect(deleted.body.status).toBe('SOFT_DEL');
    expectStatus(await u.api.get('/v1/users'), 401, 'UNAUTHENTICATED');
    expectStatus(await post(w.admin, u, 'soft-delete'), 409, 'CONFLICT');
    expectStatus(await w.admin.api.patch(`/v1/users/${u.id}/role`, { roleId: nobody }), 409, 'USER_NOT_ACTIVE');
    expect((await post(w.admin, u, 'restore')).body.status).toBe('ACTIVE');
    expectStatus(await post(w.admin, u, 'restore'), 409, 'CONFLICT');

    const invited = await w.invite(w.admin.api, { roleId: viewer });
    expectStatus(await post(w.admin, invited.body.id, 'soft-delete'), 200);
    const voided = await cp.deps.orm.em.getConnection().execute<{ n: string }[]>(
      "select count(*) as n from one_time_tokens where user_id = ? and voided_at is null and used_at is null",
      [invited.body.id],
    );
    expect(Number(voided[0]!.n)).toBe(0);
    expect((await post(w.admin, invited.body.id, 'restore')).body.status).toBe('INVITED');
  });

  it('hard delete needs user_hard_delete: RW and is permanent', async () => {
    const usersAdmin = await w.user(w.admin.api, { roleId: await w.role(w.admin.api, { scope: 'TENANT', acl: { users: 'RW' } }) });
    const u = await w.user(w.admin.api, { roleId: viewer });
    expectStatus(await usersAdmin.api.delete(`/v1/users/${u.id}`), 403, 'FORBIDDEN');
    expectStatus(await w.admin.api.delete(`/v1/users/${u.id}`), 204);
    expectStatus(await w.admin.api.get(`/v1/users/${u.id}`), 404, 'NOT_FOUND');
    expectStatus(await u.api.get('/v1/users'), 401, 'UNAUTHENTICATED');
    expectStatus(await w.admin.api.delete(`/v1/users/${u.id}`), 404, 'NOT_FOUND');
  });

  it('nobody changes their own status: 403 SELF_MODIFICATION', async () => {
    for (const action of ['disable', 'soft-delete', 'enable', 'restore']) {
      expectStatus(await post(w.admin, w.admin.id, action), 403, 'SELF_MODIFICATION');
    }
    expectStatus(await w.admin.api.delete(`/v1/users/${w.admin.id}`), 403, 'SELF_MODIFICATION');
    expectStatus(await w.admin.api.put(`/v1/users/${w.admin.id}/restrictions`, { productIds: ['p'], gatewayRefIds: [] }), 403, 'SELF_MODIFICATION');
  });

  it('a caller without users: RW may read but not change users', async () => {
    const reader = await w.user(w.admin.api, { roleId: viewer });
    const u = await w.user(w.admin.api, { roleId: nobody });
    expectStatus(await reader.api.get(`/v1/users/${u.id}`), 200);
    expectStatus(await post(reader, u, 'disable'), 403, 'FORBIDDEN');
    const outsider = await w.user(w.admin.api, { roleId: nobody });
    expectStatus(await outsider.api.get('/v1/users'), 403, 'FORBIDDEN');
  });
});

describe('product and gateway restrictions', () => {
  it('are set, refused when unchanged, and never loosened beyond the caller\'s own', async () => {
    const u = await w.user(w.admin.api, { roleId: nobody });
    const res = await w.admin.api.put(`/v1/users/${u.id}/restrictions`, { productIds: ['p1', 'p2'], gatewayRefIds: ['g1'] });
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ productIds: ['p1', 'p2'], gatewayRefIds: ['g1'] });
    expectStatus(await w.admin.api.put(`/v1/users/${u.id}/restrictions`, { productIds: ['p2', 'p1'], gatewayRefIds: ['g1'] }), 409, 'CONFLICT');

    const limited = await w.user(w.admin.api, { roleId: await w.role(w.admin.api, { scope: 'TENANT', acl: { users: 'RW' } }), productIds: ['p1'] });
    const target = await w.user(w.admin.api, { roleId: nobody });
    expectStatus(await limited.api.put(`/v1/users/${target.id}/restrictions`, { productIds: ['p1'], gatewayRefIds: [] }), 200);
    expectStatus(await limited.api.put(`/v1/users/${target.id}/restrictions`, { productIds: ['p9'], gatewayRefIds: [] }), 403, 'PRIVILEGE_ESCALATION');
    expectStatus(await limited.api.put(`/v1/users/${target.id}/restrictions`, { productIds: [], gatewayRefIds: [] }), 403, 'PRIVILEGE_ESCALATION');
    expectStatus(await w.invite(limited.api, { roleId: nobody }), 403, 'PRIVILEGE_ESCALATION');
    expectStatus(await w.invite(limited.api, { roleId: nobody, productIds: ['p1'] }), 201);
  });
});

describe('listing', () => {
  it('filters by status, type, role, merchant and email prefix', async () => {
    const m = (await w.merchant()).id;
    const tag = `list${Date.now().toString(36)}`;
    const a = await w.invite(w.admin.api, { roleId: viewer, email: `${tag}-a@Example.test` });
    const b = await w.user(w.admin.api, { roleId: viewer, email: `${tag}-b@example.test` });
    const c = await w.invite(w.admin.api, { type: 'MERCHANT', merchantId: m, roleId: w.roles.merchantAdmin, email: `${tag}-c@example.test` });
    const ids = async (query: string) => ((await w.admin.api.get(`/v1/users?limit=100&${query}`)).body.items as { id: string }[]).map((u) => u.id);
    expect(await ids(`q=${tag.toUpperCase()}`)).toEqual([a.body.id, b.id, c.body.id]);
    expect(await ids(`q=${tag}&status=INVITED`)).toEqual([a.body.id, c.body.id]);
    expect(await ids(`q=${tag}&type=MERCHANT`)).toEqual([c.body.id]);
    expect(await ids(`q=${tag}&roleId=${viewer}`)).toEqual([a.body.id, b.id]);
    expect(await ids(`merchantId=${m}`)).toEqual([c.body.id]);
    expect(await ids('q=%25')).toEqual([]);
  });

  it('pages with a cursor, each user once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Reply = await w.admin.api.get(`/v1/users?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expectStatus(res, 200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.items.map((u: { id: string }) => u.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    const all = (await w.admin.api.get('/v1/users?limit=100')).body.items.map((u: { id: string }) => u.id);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('rejects a bad query: 400 VALIDATION_FAILED', async () => {
    for (const q of ['limit=101', 'cursor=nonsense', 'status=GONE', 'roleId=not-a-uuid', 'sort=email']) {
      expectStatus(await w.admin.api.get(`/v1/users?${q}`), 400, 'VALIDATION_FAILED');
    }
  });

  it('never returns secrets', async () => {
    await activate(cp.deps, (await w.user(w.admin.api, { roleId: nobody })).id);
    const text = JSON.stringify((await w.admin.api.get('/v1/users?limit=100')).body);
    expect(text).not.toMatch(/argon2|passwordHash|totpSecret|recoveryCodes/);
  });
});

describe('announcements', () => {
  it('publishes the user (and ended sessions) after a change that affects authorization', async () => {
    const env = cp.deps.config;
    const sub = createRedis({ url: env.REDIS_URL, name: 'test-sub' });
    await connectRedis(sub);
    const messages: { kind: string; id: string }[] = [];
    sub.on('message', (_channel: string, text: string) => messages.push(...(JSON.parse(text) as { kind: string; id: string }[])));
    await sub.subscribe(authzChannel(env.REDIS_KEY_PREFIX));
    try {
      const u = await w.user(w.admin.api, { roleId: viewer });
      expectStatus(await post(w.admin, u, 'disable'), 200);
      const roleId = await w.role(w.admin.api, { scope: 'TENANT', acl: {} });
      expectStatus(await w.admin.api.patch(`/v1/roles/${roleId}`, { acl: { orders: 'R' } }), 200);
      await expect.poll(() => messages.map((m) => `${m.kind}:${m.id}`)).toEqual(
        expect.arrayContaining([`user:${u.id}`, `role:${roleId}`, expect.stringMatching(/^session:/)]),
      );
    } finally {
      sub.disconnect();
    }
  });
});
