// Control-plane approvals: a tenant that requires a checker for hard deletes
// and level-raising role edits gets 202 {approvalId} for those actions; a
// checker on user_hard_delete / roles executes them, as the maker, once.
import { beforeAll, describe, expect, it } from 'vitest';
import { useControlPlane } from '../support/control-plane.ts';
import { newWorld, type Actor, type World } from '../support/worlds/admin.ts';
import { auditOf } from '../support/audit.ts';
import { expectStatus } from '../support/expect.ts';

const cp = useControlPlane();
let w: World;
let deleteChecker: Actor;
let rolesChecker: Actor;
let viewerRole: string;

beforeAll(async () => {
  w = await newWorld(cp);
  viewerRole = await w.role(w.admin.api, { scope: 'TENANT', acl: { users: 'R' } });
  deleteChecker = await w.user(w.admin.api, { roleId: await w.role(w.admin.api, { scope: 'TENANT', acl: { user_hard_delete: 'CHECKER', users: 'R' } }) });
  rolesChecker = await w.user(w.admin.api, { roleId: await w.role(w.admin.api, { scope: 'TENANT', acl: { roles: 'CHECKER' } }) });
});

/**
 * Once roleLevelRaise is on, an invitation with a role that grants anything
 * is itself a raise (finding 3): it waits for a checker on roles.
 */
async function invited(roleId: string): Promise<Actor> {
  const res = await w.invite(w.admin.api, { roleId });
  if (res.status === 201) return w.actorFor(res.body.id);
  expectStatus(res, 202);
  const approved = await rolesChecker.api.post(`/v1/approvals/${res.body.approvalId}/approve`);
  expect(approved.body.status).toBe('EXECUTED');
  const email = (approved.body.request as { invite: { email: string } }).invite.email;
  const found = await w.admin.api.get(`/v1/users?q=${encodeURIComponent(email)}`);
  return w.actorFor(found.body.items[0].id as string);
}

describe('approval settings', () => {
  it('are off by default and set by tenants: RW in the tenant context, audited', async () => {
    expect((await w.admin.api.get('/v1/tenants/current/approval-settings')).body).toEqual({ hardDeleteUser: false, roleLevelRaise: false });
    const viewer = await w.user(w.admin.api, { roleId: viewerRole });
    expectStatus(await viewer.api.patch('/v1/tenants/current/approval-settings', { hardDeleteUser: true }), 403, 'FORBIDDEN');
    expectStatus(await w.admin.api.patch('/v1/tenants/current/approval-settings', { hardDelete: true }), 400, 'VALIDATION_FAILED');
    expectStatus(await w.admin.api.patch('/v1/tenants/current/approval-settings', {}), 400, 'VALIDATION_FAILED');

    // Without the setting a hard delete acts at once.
    const u = await w.user(w.admin.api, { roleId: viewerRole });
    expectStatus(await w.admin.api.delete(`/v1/users/${u.id}`), 204);

    const set = await w.admin.api.patch('/v1/tenants/current/approval-settings', { hardDeleteUser: true, roleLevelRaise: true });
    expectStatus(set, 200);
    expect(set.body).toEqual({ hardDeleteUser: true, roleLevelRaise: true });
    expect((await auditOf(cp, w.tenant.id)).map((e) => e.action)).toContain('tenant.approval_settings');
  });
});

describe('hard delete behind a checker', () => {
  it('answers 202, keeps the user until a checker on user_hard_delete approves, then deletes it as the maker', async () => {
    const target = await invited(viewerRole);
    const held = await w.admin.api.delete(`/v1/users/${target.id}`);
    expectStatus(held, 202);
    const id = held.body.approvalId as string;
    expectStatus(await w.admin.api.get(`/v1/users/${target.id}`), 200);
    expectStatus(await target.api.get('/v1/users'), 200);

    // The same refusals as the delete itself, before anything is stored.
    expectStatus(await w.admin.api.delete(`/v1/users/${w.admin.id}`), 403, 'SELF_MODIFICATION');

    expectStatus(await w.admin.api.post(`/v1/approvals/${id}/approve`), 403, 'SOD_VIOLATION');
    expectStatus(await rolesChecker.api.post(`/v1/approvals/${id}/approve`), 403, 'FORBIDDEN');
    const queue = await deleteChecker.api.get('/v1/approvals?status=PENDING');
    expect(queue.body.items).toEqual([expect.objectContaining({ id, kind: 'CONTROL_PLANE', module: 'user_hard_delete', makerId: w.admin.id })]);
    expect(queue.body.items[0].request).toMatchObject({ action: 'user.hard_delete', targetId: target.id });

    const approved = await deleteChecker.api.post(`/v1/approvals/${id}/approve`);
    expectStatus(approved, 200);
    expect(approved.body).toMatchObject({ status: 'EXECUTED', checkerId: deleteChecker.id });
    expectStatus(await w.admin.api.get(`/v1/users/${target.id}`), 404);
    expectStatus(await target.api.get('/v1/users'), 401);

    const deletion = (await auditOf(cp, target.id)).at(-1)!;
    expect(deletion).toMatchObject({ action: 'user.hard_delete', actor_id: w.admin.id, after: { approvalId: id } });
    expect((await auditOf(cp, id)).map((e) => e.action)).toEqual(['approval.requested', 'approval.approved', 'approval.executed']);
  });

  it('is never decided by the user it deletes, nor a role edit by a holder of the role', async () => {
    const checkerRole = await w.role(w.admin.api, { scope: 'TENANT', acl: { user_hard_delete: 'CHECKER', roles: 'CHECKER' } });
    const subject = await invited(checkerRole);
    const held = await w.admin.api.delete(`/v1/users/${subject.id}`);
    expectStatus(held, 202);
    expectStatus(await subject.api.post(`/v1/approvals/${held.body.approvalId}/reject`, { reason: 'no' }), 403, 'SOD_VIOLATION');
    expectStatus(await subject.api.post(`/v1/approvals/${held.body.approvalId}/approve`), 403, 'SOD_VIOLATION');

    const raise = await w.admin.api.patch(`/v1/roles/${checkerRole}`, { acl: { user_hard_delete: 'CHECKER', roles: 'CHECKER', orders: 'R' } });
    expectStatus(raise, 202);
    expectStatus(await subject.api.post(`/v1/approvals/${raise.body.approvalId}/approve`), 403, 'SOD_VIOLATION');
    expect((await subject.api.get('/v1/approvals?status=PENDING')).body.items.map((a: { id: string }) => a.id)).not.toContain(raise.body.approvalId);
    expectStatus(await rolesChecker.api.post(`/v1/approvals/${raise.body.approvalId}/approve`), 200);
  });

  it('fails (and deletes nothing) when the target is gone by the time it is approved', async () => {
    const target = await invited(viewerRole);
    const first = await w.admin.api.delete(`/v1/users/${target.id}`);
    const second = await w.admin.api.delete(`/v1/users/${target.id}`);
    expectStatus(await deleteChecker.api.post(`/v1/approvals/${first.body.approvalId}/approve`), 200);
    const late = await deleteChecker.api.post(`/v1/approvals/${second.body.approvalId}/approve`);
    expect(late.body).toMatchObject({ status: 'FAILED', result: { code: 'NOT_FOUND' } });
    expect((await auditOf(cp, second.body.approvalId)).at(-1)).toMatchObject({ action: 'approval.failed', after: { status: 'FAILED', code: 'NOT_FOUND' } });
  });
});

describe('role edits that raise a level, behind a checker', () => {
  it('hold a raise for a checker on roles; edits that raise nothing act at once', async () => {
    const roleId = await w.role(w.admin.api, { scope: 'TENANT', acl: { orders: 'R', refunds: 'RW' } });
    const held = await w.admin.api.patch(`/v1/roles/${roleId}`, { acl: { orders: 'RW', refunds: 'RW' } });
    expectStatus(held, 202);
    const id = held.body.approvalId as string;
    expect((await w.admin.api.get(`/v1/roles/${roleId}`)).body.acl).toEqual({ orders: 'R', refunds: 'RW' });

    // A rename, or a lowering, raises nothing.
    expectStatus(await w.admin.api.patch(`/v1/roles/${roleId}`, { description: 'till staff' }), 200);
    const pendingRaise = await w.admin.api.get(`/v1/approvals/${id}`);
    expect(pendingRaise.body.request).toMatchObject({ action: 'role.update', targetId: roleId, raised: ['orders'] });

    // The rename moved the role's version: the held edit no longer applies as asked.
    const stale = await rolesChecker.api.post(`/v1/approvals/${id}/approve`);
    expect(stale.body).toMatchObject({ status: 'FAILED', result: { code: 'CONFLICT' } });
    expect((await w.admin.api.get(`/v1/roles/${roleId}`)).body.acl).toEqual({ orders: 'R', refunds: 'RW' });

    const again = await w.admin.api.patch(`/v1/roles/${roleId}`, { acl: { orders: 'RW', refunds: 'R' } });
    expectStatus(again, 202);
    expectStatus(await deleteChecker.api.post(`/v1/approvals/${again.body.approvalId}/approve`), 403, 'FORBIDDEN');
    const approved = await rolesChecker.api.post(`/v1/approvals/${again.body.approvalId}/approve`);
    expectStatus(approved, 200);
    expect(approved.body.status).toBe('EXECUTED');
    const role = (await w.admin.api.get(`/v1/roles/${roleId}`)).body;
    expect(role).toMatchObject({ acl: { orders: 'RW', refunds: 'R' }, description: 'till staff' });
    expect((await auditOf(cp, roleId)).at(-1)).toMatchObject({ action: 'role.update', actor_id: w.admin.id });

    const lowered = await w.admin.api.patch(`/v1/roles/${roleId}`, { acl: { orders: 'R' } });
    expectStatus(lowered, 200);
    expect(lowered.body.acl).toEqual({ orders: 'R' });
  });

  it('still refuses what the edit itself refuses (SoD pairs) before storing anything', async () => {
    const roleId = await w.role(w.admin.api, { scope: 'TENANT', acl: { refunds: 'RW' } });
    const res = await w.admin.api.patch(`/v1/roles/${roleId}`, { acl: { refunds: 'RW', refund_approvals: 'CHECKER' } });
    expectStatus(res, 422, 'SOD_VIOLATION');
    expect(res.body.pairs).toEqual(['refund-maker-checker']);
  });
});
