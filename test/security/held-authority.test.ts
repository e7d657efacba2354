// Finding 10: a held control-plane operation re-checks the maker's authority
// when it executes — scope (merchant access), context and level — as the
// gateway's approvals do. A maker who no longer reaches the target has the
// approval end FAILED with MAKER_NOT_PERMITTED (the reason recorded on it and
// in its audit event), and nothing happens to the target.
import { beforeAll, describe, expect, it } from 'vitest';
import { useControlPlane } from '../support/control-plane.ts';
import { newWorld, type Actor, type World } from '../support/worlds/admin.ts';
import { expectStatus } from '../support/expect.ts';
import { auditOf } from '../support/audit.ts';

const cp = useControlPlane();
let w: World;
let m1: string;
let m2: string;
let maker: Actor;
let deleteChecker: Actor;
let rolesChecker: Actor;
let tillRole: string;
let strongTill: string;

beforeAll(async () => {
  w = await newWorld(cp);
  m1 = (await w.merchant()).id;
  m2 = (await w.merchant()).id;
  tillRole = await w.role(w.admin.api, { scope: 'MERCHANT', acl: { orders: 'R' } });
  strongTill = await w.role(w.admin.api, { scope: 'MERCHANT', acl: { orders: 'RW' } });
  const makerRole = await w.role(w.admin.api, { scope: 'TENANT', acl: { users: 'RW', user_hard_delete: 'RW', roles: 'R', orders: 'RW' } });
  maker = await w.user(w.admin.api, { roleId: makerRole, merchantsAccess: [m1, m2] });
  deleteChecker = await w.user(w.admin.api, { roleId: await w.role(w.admin.api, { scope: 'TENANT', acl: { user_hard_delete: 'CHECKER', users: 'R' } }) });
  rolesChecker = await w.user(w.admin.api, { roleId: await w.role(w.admin.api, { scope: 'TENANT', acl: { roles: 'CHECKER', users: 'R' } }) });
  expectStatus(await w.admin.api.patch('/v1/tenants/current/approval-settings', { hardDeleteUser: true, roleLevelRaise: true }), 200);
});

const narrowMaker = async (access: string[]) => expectStatus(await w.admin.api.put(`/v1/users/${maker.id}/merchant-access`, { merchantsAccess: access }), 200);

/** A merchant user of `merchantId` created directly (the invitation path is held under roleLevelRaise). */
async function tillUser(merchantId: string): Promise<string> {
  expectStatus(await w.admin.api.patch('/v1/tenants/current/approval-settings', { roleLevelRaise: false }), 200);
  try {
    const res = await w.invite(w.admin.api, { type: 'MERCHANT', merchantId, roleId: tillRole });
    expectStatus(res, 201);
    await w.actorFor(res.body.id);
    return res.body.id as string;
  } finally {
    expectStatus(await w.admin.api.patch('/v1/tenants/current/approval-settings', { roleLevelRaise: true }), 200);
  }
}

describe('held operations run with the maker\'s authority at execution', () => {
  it('a held hard delete of an m2 user fails once the maker\'s access is narrowed to [m1]', async () => {
    const target = await tillUser(m2);
    const held = await maker.api.delete(`/v1/users/${target}`);
    expectStatus(held, 202);
    await narrowMaker([m1]);
    const approved = await deleteChecker.api.post(`/v1/approvals/${held.body.approvalId}/approve`);
    expectStatus(approved, 200);
    expect(approved.body).toMatchObject({ status: 'FAILED', result: { code: 'MAKER_NOT_PERMITTED', reasons: ['NOT_FOUND'] } });
    expectStatus(await w.admin.api.get(`/v1/users/${target}`), 200);
    expect((await auditOf(cp, held.body.approvalId)).at(-1)).toMatchObject({ action: 'approval.failed', after: { status: 'FAILED', code: 'MAKER_NOT_PERMITTED' } });
  });

  it('a held role assignment fails the same way; one still in scope executes', async () => {
    await narrowMaker([m1, m2]);
    const outOfReach = await tillUser(m2);
    const inReach = await tillUser(m1);
    const lost = await maker.api.patch(`/v1/users/${outOfReach}/role`, { roleId: strongTill });
    const kept = await maker.api.patch(`/v1/users/${inReach}/role`, { roleId: strongTill });
    expectStatus(lost, 202);
    expectStatus(kept, 202);
    await narrowMaker([m1]);
    const refused = await rolesChecker.api.post(`/v1/approvals/${lost.body.approvalId}/approve`);
    expect(refused.body).toMatchObject({ status: 'FAILED', result: { code: 'MAKER_NOT_PERMITTED' } });
    expect((await w.admin.api.get(`/v1/users/${outOfReach}`)).body.roleId).toBe(tillRole);
    const done = await rolesChecker.api.post(`/v1/approvals/${kept.body.approvalId}/approve`);
    expect(done.body.status).toBe('EXECUTED');
    expect((await w.admin.api.get(`/v1/users/${inReach}`)).body.roleId).toBe(strongTill);
  });

  it('a held hard delete fails when the maker lost the level meanwhile (user_hard_delete taken away)', async () => {
    const target = await tillUser(m1);
    const held = await maker.api.delete(`/v1/users/${target}`);
    expectStatus(held, 202);
    const weaker = await w.role(w.admin.api, { scope: 'TENANT', acl: { users: 'RW', roles: 'R', orders: 'RW' } });
    await cp.deps.orm.em.getConnection().execute('update users set role_id = ? where id = ?', [weaker, maker.id]);
    const approved = await deleteChecker.api.post(`/v1/approvals/${held.body.approvalId}/approve`);
    expect(approved.body).toMatchObject({ status: 'FAILED', result: { code: 'MAKER_NOT_PERMITTED' } });
    expectStatus(await w.admin.api.get(`/v1/users/${target}`), 200);
  });
});
