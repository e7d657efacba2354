// Roles (docs/domain.md#roles): ACL validation, escalation, system roles, clone,
// enable/disable, delete only when unused, and edits that change what holders
// can do on their very next request.
import { beforeAll, describe, expect, it } from 'vitest';
import { useControlPlane } from '../support/control-plane.ts';
import { newWorld, type Actor, type World } from '../support/worlds/admin.ts';
import { expectStatus } from '../support/expect.ts';

const cp = useControlPlane();
let w: World;
let r1: string;
let resellerAdmin: Actor;
let nobodyRole: string;

beforeAll(async () => {
  w = await newWorld(cp);
  const a = await w.reseller();
  r1 = a.id;
  resellerAdmin = await w.actorFor(a.adminUserId);
  // Grants nothing: any administrator may hand it out.
  nobodyRole = await w.role(w.admin.api, { scope: 'TENANT', acl: {} });
});

describe('creating roles', () => {
  it('creates a role owned by the caller\'s context', async () => {
    const res = await w.admin.api.post('/v1/roles', { name: 'Support', description: 'helps', scope: 'MERCHANT', acl: { orders: 'R', refunds: 'RW' } });
    expectStatus(res, 201);
    expect(res.body).toMatchObject({
      name: 'Support',
      scope: 'MERCHANT',
      ownerType: 'TENANT',
      ownerId: w.tenant.id,
      enabled: true,
      system: false,
      activeUsersCount: 0,
      version: 1,
    });
    expectStatus(await w.admin.api.post('/v1/roles', { name: 'Support', scope: 'MERCHANT', acl: {} }), 409, 'CONFLICT');
    const own = await resellerAdmin.api.post('/v1/roles', { name: 'Support', scope: 'MERCHANT', acl: { orders: 'R' } });
    expectStatus(own, 201);
    expect(own.body).toMatchObject({ ownerType: 'RESELLER', ownerId: r1 });
  });

  it('refuses a scope above the context: 403 FORBIDDEN', async () => {
    expectStatus(await resellerAdmin.api.post('/v1/roles', { name: 'x', scope: 'TENANT', acl: {} }), 403, 'FORBIDDEN');
  });

  it('validates the ACL: catalogue 400, ceiling 403, SoD 422 with the pairs; RW appoints checkers', async () => {
    const create = (acl: Record<string, string>) => w.admin.api.post('/v1/roles', { name: `r-${Object.keys(acl).join('-')}`, scope: 'TENANT', acl });
    const unknown = await create({ orders: 'R', teleport: 'RW' });
    expectStatus(unknown, 400, 'VALIDATION_FAILED');
    expect(unknown.body.modules).toEqual(['teleport']);
    expectStatus(await create({ orders: 'WRITE' }), 400, 'VALIDATION_FAILED');
    expectStatus(await create({ Orders: 'R' }), 400, 'VALIDATION_FAILED');
    const ceiling = await create({ audit: 'RW' });
    expectStatus(ceiling, 403, 'FORBIDDEN');
    expect(ceiling.body.modules).toEqual(['audit']);
    const sod = await create({ refunds: 'RW', refund_approvals: 'CHECKER', payouts: 'RW', payout_approvals: 'CHECKER' });
    expectStatus(sod, 422, 'SOD_VIOLATION');
    expect(sod.body.pairs).toEqual(['payout-maker-checker', 'refund-maker-checker']);
    // RW on a module (the Tenant Admin's wildcard) may appoint its checkers.
    expectStatus(await create({ refund_approvals: 'CHECKER' }), 201);
  });

  it('lists the module catalogue', async () => {
    const res = await w.admin.api.get('/v1/modules');
    expectStatus(res, 200);
    const names = res.body.items.map((m: { name: string }) => m.name);
    expect(names).toEqual(expect.arrayContaining(['tenants', 'users', 'roles', 'audit', 'user_hard_delete', 'orders', 'refunds', 'refund_approvals']));
    expect(res.body.items.find((m: { name: string }) => m.name === 'audit')).toEqual({ name: 'audit', builtin: true, ceiling: 'R' });
  });
});

describe('no escalation', () => {
  let roleAdmin: Actor;
  beforeAll(async () => {
    const acl = { roles: 'RW', users: 'RW', orders: 'R' };
    roleAdmin = await w.user(w.admin.api, { roleId: await w.role(w.admin.api, { scope: 'TENANT', acl }) });
  });

  it('refuses creating, editing or cloning a role above the caller\'s own levels', async () => {
    const res = await roleAdmin.api.post('/v1/roles', { name: 'more', scope: 'TENANT', acl: { orders: 'RW' } });
    expectStatus(res, 403, 'PRIVILEGE_ESCALATION');
    expect(res.body.modules).toEqual(['orders']);
    const ok = await roleAdmin.api.post('/v1/roles', { name: 'less', scope: 'TENANT', acl: { orders: 'R' } });
    expectStatus(ok, 201);
    expectStatus(await roleAdmin.api.patch(`/v1/roles/${ok.body.id}`, { acl: { orders: 'RW' } }), 403, 'PRIVILEGE_ESCALATION');
    expectStatus(await roleAdmin.api.post(`/v1/roles/${w.roles.tenantAdmin}/clone`), 403, 'PRIVILEGE_ESCALATION');
  });

  it('refuses assigning a role above the caller\'s own levels', async () => {
    expectStatus(await w.invite(roleAdmin.api, { roleId: w.roles.tenantAdmin }), 403, 'PRIVILEGE_ESCALATION');
    const target = await w.user(w.admin.api, { roleId: nobodyRole });
    expectStatus(await roleAdmin.api.patch(`/v1/users/${target.id}/role`, { roleId: w.roles.tenantAdmin }), 403, 'PRIVILEGE_ESCALATION');
  });
});

describe('system roles', () => {
  it('can be read and cloned, not edited, disabled or deleted', async () => {
    const id = w.roles.resellerAdmin;
    expectStatus(await w.admin.api.patch(`/v1/roles/${id}`, { name: 'Mine' }), 403, 'FORBIDDEN');
    expectStatus(await w.admin.api.post(`/v1/roles/${id}/disable`), 403, 'FORBIDDEN');
    expectStatus(await w.admin.api.delete(`/v1/roles/${id}`), 403, 'FORBIDDEN');
    const clone = await w.admin.api.post(`/v1/roles/${id}/clone`);
    expectStatus(clone, 201);
    const source = await w.admin.api.get(`/v1/roles/${id}`);
    expect(clone.body).toMatchObject({ name: 'Reseller Admin - Copy', enabled: true, system: false, scope: 'RESELLER', acl: source.body.acl });
    expect(clone.body.id).not.toBe(id);
    // Cloning again does not collide.
    expect((await w.admin.api.post(`/v1/roles/${id}/clone`)).body.name).toBe('Reseller Admin - Copy 2');
  });

  it('clones are owned by the actor\'s context; roles defined above it are read-only there', async () => {
    const clone = await resellerAdmin.api.post(`/v1/roles/${w.roles.merchantAdmin}/clone`);
    expectStatus(clone, 201);
    expect(clone.body).toMatchObject({ ownerType: 'RESELLER', ownerId: r1, scope: 'MERCHANT', name: 'Merchant Admin - Copy' });
    expectStatus(await resellerAdmin.api.patch(`/v1/roles/${clone.body.id}`, { description: 'ours' }), 200);
    const tenantDefined = await w.role(w.admin.api, { scope: 'MERCHANT', acl: { orders: 'R' } });
    expectStatus(await resellerAdmin.api.get(`/v1/roles/${tenantDefined}`), 200);
    expectStatus(await resellerAdmin.api.patch(`/v1/roles/${tenantDefined}`, { description: 'x' }), 403, 'FORBIDDEN');
    // A tenant role for tenant users is not even visible from a reseller context.
    expectStatus(await resellerAdmin.api.get(`/v1/roles/${w.roles.tenantAdmin}`), 404, 'NOT_FOUND');
  });
});

describe('editing, disabling and deleting', () => {
  it('editing a role changes what its holders can do on their very next request', async () => {
    const roleId = await w.role(w.admin.api, { scope: 'TENANT', acl: { users: 'R' } });
    const holder = await w.user(w.admin.api, { roleId });
    expectStatus(await holder.api.get('/v1/users'), 200);
    expectStatus(await w.invite(holder.api, { roleId: nobodyRole }), 403, 'FORBIDDEN');
    const edited = await w.admin.api.patch(`/v1/roles/${roleId}`, { acl: { users: 'RW' }, version: 1 });
    expectStatus(edited, 200);
    expect(edited.body).toMatchObject({ acl: { users: 'RW' }, version: 2, activeUsersCount: 1 });
    expectStatus(await w.invite(holder.api, { roleId: nobodyRole }), 201);
    // And back: the very next request is refused again.
    expectStatus(await w.admin.api.patch(`/v1/roles/${roleId}`, { acl: { users: 'R' } }), 200);
    expectStatus(await w.invite(holder.api, { roleId: nobodyRole }), 403, 'FORBIDDEN');
  });

  it('refuses a stale version: 409 CONFLICT', async () => {
    const roleId = await w.role(w.admin.api, { scope: 'TENANT', acl: {} });
    expectStatus(await w.admin.api.patch(`/v1/roles/${roleId}`, { name: 'first', version: 1 }), 200);
    expectStatus(await w.admin.api.patch(`/v1/roles/${roleId}`, { name: 'second', version: 1 }), 409, 'CONFLICT');
    expectStatus(await w.admin.api.patch(`/v1/roles/${roleId}`, { scope: 'MERCHANT' }), 400, 'VALIDATION_FAILED');
  });

  it('a disabled role denies its holders at once and cannot be assigned; enabling restores', async () => {
    const roleId = await w.role(w.admin.api, { scope: 'TENANT', acl: { users: 'R' } });
    const holder = await w.user(w.admin.api, { roleId });
    expectStatus(await w.admin.api.post(`/v1/roles/${roleId}/disable`), 200);
    expectStatus(await holder.api.get('/v1/users'), 403, 'ROLE_DISABLED');
    expectStatus(await w.invite(w.admin.api, { roleId }), 409, 'CONFLICT');
    const other = await w.user(w.admin.api, { roleId: nobodyRole });
    expectStatus(await w.admin.api.patch(`/v1/users/${other.id}/role`, { roleId }), 409, 'CONFLICT');
    expectStatus(await w.admin.api.post(`/v1/roles/${roleId}/disable`), 409, 'CONFLICT');
    expectStatus(await w.admin.api.post(`/v1/roles/${roleId}/enable`), 200);
    expectStatus(await holder.api.get('/v1/users'), 200);
    expectStatus(await w.invite(w.admin.api, { roleId }), 201);
  });

  it('nobody disables their own role: 403 SELF_MODIFICATION', async () => {
    const roleId = await w.role(w.admin.api, { scope: 'TENANT', acl: { roles: 'RW' } });
    const holder = await w.user(w.admin.api, { roleId });
    expectStatus(await holder.api.post(`/v1/roles/${roleId}/disable`), 403, 'SELF_MODIFICATION');
  });

  it('refuses deleting a role with active users (409 ROLE_HAS_ACTIVE_USERS), allows it after reassignment', async () => {
    const roleId = await w.role(w.admin.api, { scope: 'TENANT', acl: { orders: 'R' } });
    const holder = await w.user(w.admin.api, { roleId });
    const detail = await w.admin.api.get(`/v1/roles/${roleId}`);
    expect(detail.body).toMatchObject({ activeUsersCount: 1, users: [{ id: holder.id, email: holder.email, type: 'TENANT', status: 'ACTIVE' }] });
    expectStatus(await w.admin.api.delete(`/v1/roles/${roleId}`), 409, 'ROLE_HAS_ACTIVE_USERS');
    expectStatus(await w.admin.api.patch(`/v1/users/${holder.id}/role`, { roleId: nobodyRole }), 200);
    expect((await w.admin.api.get(`/v1/roles/${roleId}`)).body.activeUsersCount).toBe(0);
    expectStatus(await w.admin.api.delete(`/v1/roles/${roleId}`), 204);
    expectStatus(await w.admin.api.get(`/v1/roles/${roleId}`), 404, 'NOT_FOUND');
  });

  it('an invited or soft-deleted holder also keeps a role from being deleted', async () => {
    const roleId = await w.role(w.admin.api, { scope: 'TENANT', acl: {} });
    const invited = await w.invite(w.admin.api, { roleId });
    expectStatus(await w.admin.api.delete(`/v1/roles/${roleId}`), 409, 'ROLE_HAS_ACTIVE_USERS');
    expectStatus(await w.admin.api.post(`/v1/users/${invited.body.id}/soft-delete`), 200);
    expect((await w.admin.api.get(`/v1/roles/${roleId}`)).body.activeUsersCount).toBe(0);
    expectStatus(await w.admin.api.delete(`/v1/roles/${roleId}`), 409, 'CONFLICT');
    expectStatus(await w.admin.api.delete(`/v1/users/${invited.body.id}`), 204);
    expectStatus(await w.admin.api.delete(`/v1/roles/${roleId}`), 204);
  });
});

describe('role assignment', () => {
  it('changes a user\'s role and ends its sessions', async () => {
    const u = await w.user(w.admin.api, { roleId: await w.role(w.admin.api, { scope: 'TENANT', acl: { users: 'R' } }) });
    expectStatus(await u.api.get('/v1/users'), 200);
    const res = await w.admin.api.patch(`/v1/users/${u.id}/role`, { roleId: nobodyRole });
    expectStatus(res, 200);
    expect(res.body.roleId).toBe(nobodyRole);
    expectStatus(await u.api.get('/v1/users'), 401, 'UNAUTHENTICATED');
    expectStatus(await w.admin.api.patch(`/v1/users/${u.id}/role`, { roleId: nobodyRole }), 409, 'CONFLICT');
  });

  it('refuses one\'s own role, a role of another scope or owner, and an invisible role', async () => {
    expectStatus(await w.admin.api.patch(`/v1/users/${w.admin.id}/role`, { roleId: nobodyRole }), 403, 'SELF_MODIFICATION');
    const u = await w.user(w.admin.api, { roleId: nobodyRole });
    expectStatus(await w.admin.api.patch(`/v1/users/${u.id}/role`, { roleId: w.roles.merchantAdmin }), 400, 'VALIDATION_FAILED');
    const other = await w.reseller();
    const theirs = await w.role((await w.actorFor(other.adminUserId)).api, { scope: 'RESELLER', acl: {} });
    const ours = await w.user(resellerAdmin.api, { roleId: w.roles.resellerAdmin });
    expectStatus(await w.admin.api.patch(`/v1/users/${ours.id}/role`, { roleId: theirs }), 400, 'VALIDATION_FAILED');
    expectStatus(await resellerAdmin.api.patch(`/v1/users/${ours.id}/role`, { roleId: theirs }), 404, 'NOT_FOUND');
  });
});
