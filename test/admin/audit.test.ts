// The audit log: every mutation writes exactly one event in its transaction,
// a refused request writes none; GET /v1/audit-events filters and pages it.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useControlPlane } from '../support/control-plane.ts';
import { uniqueId } from '../support/fixtures.ts';
import { newWorld, type Actor, type World } from '../support/worlds/admin.ts';
import { auditRows } from '../support/audit.ts';
import { expectStatus } from '../support/expect.ts';

const cp = useControlPlane();
let w: World;

beforeAll(async () => {
  w = await newWorld(cp);
});

/** One request with its own x-request-id, which the audit event keeps as client_request_id. */
async function send(actor: Actor, method: string, path: string, body?: unknown) {
  const requestId = randomUUID();
  const res = await fetch(new URL(path, cp.url), {
    method,
    headers: { authorization: `Bearer ${actor.token}`, 'x-request-id': requestId, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, requestId };
}

describe('one event per mutation, none for a refusal', () => {
  it('holds exactly one event, with the right action, for every mutation; none for refused requests', async () => {
    const a = w.admin;
    const done: { requestId: string; action: string; targetId: string }[] = [];
    const refused: string[] = [];
    async function ok(action: string, method: string, path: string, body?: unknown, status = 200) {
      const res = await send(a, method, path, body);
      expectStatus(res, status);
      const targetId = (res.body?.id as string | undefined) ?? path.split('/')[3]!;
      done.push({ requestId: res.requestId, action, targetId });
      return res.body;
    }
    async function no(status: number, method: string, path: string, body?: unknown) {
      const res = await send(a, method, path, body);
      expectStatus(res, status);
      refused.push(res.requestId);
    }

    const rid = uniqueId('r');
    await ok('reseller.create', 'POST', '/v1/resellers', { id: rid, name: 'R', email: `${rid}@r.test`, type: 'ISO' }, 201);
    const mid = uniqueId('m');
    await ok('merchant.create', 'POST', '/v1/merchants', { id: mid, name: 'M', email: 'm@m.test', country: 'NL', resellerId: rid, initialRoles: [{ name: 'Till', acl: { orders: 'RW' } }] }, 201);
    const role = await ok('role.create', 'POST', '/v1/roles', { name: 'Auditor', scope: 'TENANT', acl: { audit: 'R' } }, 201);
    const spare = await ok('role.create', 'POST', '/v1/roles', { name: 'Spare', scope: 'TENANT', acl: {} }, 201);
    await ok('role.update', 'PATCH', `/v1/roles/${role.id}`, { description: 'reads the log' });
    const clone = await ok('role.clone', 'POST', `/v1/roles/${role.id}/clone`, undefined, 201);
    await ok('role.disable', 'POST', `/v1/roles/${clone.id}/disable`);
    await ok('role.enable', 'POST', `/v1/roles/${clone.id}/enable`);
    await ok('role.delete', 'DELETE', `/v1/roles/${clone.id}`, undefined, 204);
    const user = await ok('user.invite', 'POST', '/v1/users', { email: `${uniqueId('u')}@u.test`, roleId: role.id }, 201);
    await cp.deps.orm.em.getConnection().execute("update users set status = 'ACTIVE' where id = ?", [user.id]);
    await ok('user.role.update', 'PATCH', `/v1/users/${user.id}/role`, { roleId: spare.id });
    await ok('user.merchant_access.update', 'PUT', `/v1/users/${user.id}/merchant-access`, { merchantsAccess: [mid] });
    await ok('user.restrictions.update', 'PUT', `/v1/users/${user.id}/restrictions`, { productIds: ['p'], gatewayRefIds: [] });
    await ok('user.disable', 'POST', `/v1/users/${user.id}/disable`);
    await ok('user.enable', 'POST', `/v1/users/${user.id}/enable`);
    await ok('user.soft_delete', 'POST', `/v1/users/${user.id}/soft-delete`);
    await ok('user.restore', 'POST', `/v1/users/${user.id}/restore`);
    await ok('user.hard_delete', 'DELETE', `/v1/users/${user.id}`, undefined, 204);

    await no(409, 'POST', '/v1/resellers', { id: rid, name: 'R', email: `${uniqueId('e')}@r.test`, type: 'ISO' });
    await no(400, 'POST', '/v1/roles', { name: 'Bad', scope: 'TENANT', acl: { nowhere: 'R' } });
    await no(422, 'POST', '/v1/roles', { name: 'SoD', scope: 'TENANT', acl: { payments: 'RW', financial_reports: 'RW' } });
    await no(403, 'PATCH', `/v1/roles/${w.roles.tenantAdmin}`, { name: 'Boss' });
    await ok('user.invite', 'POST', '/v1/users', { email: `${uniqueId('u')}@u.test`, roleId: role.id }, 201);
    await no(409, 'DELETE', `/v1/roles/${role.id}`);
    await no(403, 'POST', `/v1/users/${a.id}/disable`);
    await no(404, 'POST', `/v1/users/${user.id}/restore`);
    await no(409, 'POST', '/v1/users', { email: a.email, roleId: spare.id });
    await no(400, 'POST', '/v1/users', { email: 'x@x.test', roleId: spare.id, admin: true });

    const rows = await auditRows(cp, w.tenant.id);
    for (const d of done) {
      const mine = rows.filter((r) => r.client_request_id === d.requestId);
      expect(mine, d.action).toHaveLength(1);
      expect(mine[0], d.action).toMatchObject({ action: d.action, target_id: d.targetId });
    }
    for (const id of refused) expect(rows.filter((r) => r.client_request_id === id)).toEqual([]);
  });
});

describe('GET /v1/audit-events', () => {
  it('filters by actor, target, action and time, newest first, with a cursor', async () => {
    const start = new Date().toISOString();
    const roleIds: string[] = [];
    for (let i = 0; i < 3; i++) roleIds.push(await w.role(w.admin.api, { scope: 'TENANT', acl: {} }));
    const byAction = await w.admin.api.get(`/v1/audit-events?action=role.create&from=${start}&limit=2`);
    expectStatus(byAction, 200);
    expect(byAction.body.items.map((e: { targetId: string }) => e.targetId)).toEqual([roleIds[2], roleIds[1]]);
    const next = await w.admin.api.get(`/v1/audit-events?action=role.create&from=${start}&limit=2&cursor=${byAction.body.nextCursor}`);
    expect(next.body).toMatchObject({ items: [{ targetId: roleIds[0] }], nextCursor: null });
    const one = await w.admin.api.get(`/v1/audit-events?targetId=${roleIds[1]}&actorId=${w.admin.id}`);
    expect(one.body.items).toEqual([
      expect.objectContaining({
        action: 'role.create',
        actorId: w.admin.id,
        contextType: 'TENANT',
        contextId: w.tenant.id,
        targetType: 'role',
        before: null,
        after: expect.objectContaining({ acl: {}, scope: 'TENANT' }),
      }),
    ]);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await w.admin.api.get(`/v1/audit-events?from=${future}`)).body.items).toEqual([]);
    expect((await w.admin.api.get(`/v1/audit-events?to=${start}&action=role.create`)).body.items.map((e: { targetId: string }) => e.targetId)).not.toContain(roleIds[0]);
  });

  it('needs audit: R; the log cannot be written through the API', async () => {
    const noAudit = await w.user(w.admin.api, { roleId: await w.role(w.admin.api, { scope: 'TENANT', acl: { users: 'RW' } }) });
    expectStatus(await noAudit.api.get('/v1/audit-events'), 403, 'FORBIDDEN');
    expectStatus(await w.admin.api.post('/v1/audit-events', {}), 404, 'NOT_FOUND');
    expectStatus(await w.admin.api.get('/v1/audit-events?actorId=nope'), 400, 'VALIDATION_FAILED');
  });
});
