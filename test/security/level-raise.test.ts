// Finding 3 and the role-edit lock race: with the tenant's `roleLevelRaise`
// control on, every path that raises someone's effective level waits for a
// checker on roles — editing a role, giving a user a stronger role (however
// the role came to be: created, cloned), enabling a role that has holders,
// inviting a user with a role — and the raise is decided under the lock the
// change applies under, so a concurrent edit cannot make a raise look like
// none. Changes that raise nobody act at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useControlPlane } from '../support/control-plane.ts';
import { uniqueId } from '../support/fixtures.ts';
import { newWorld, type Actor, type World } from '../support/worlds/admin.ts';
import { expectStatus } from '../support/expect.ts';
import { mailsTo } from '../support/auth.ts';

const cp = useControlPlane();
let w: World;
let checker: Actor;
let weakRole: string;

beforeAll(async () => {
  w = await newWorld(cp);
  checker = await w.user(w.admin.api, { roleId: await w.role(w.admin.api, { scope: 'TENANT', acl: { roles: 'CHECKER' } }) });
  weakRole = await w.role(w.admin.api, { scope: 'TENANT', acl: { refunds: 'R' } });
});

const setRaiseControl = async (on: boolean) => expectStatus(await w.admin.api.patch('/v1/tenants/current/approval-settings', { roleLevelRaise: on }), 200);
const roleOf = async (userId: string) => (await w.admin.api.get(`/v1/users/${userId}`)).body.roleId as string;

async function approve(approvalId: string) {
  const res = await checker.api.post(`/v1/approvals/${approvalId}/approve`);
  expectStatus(res, 200);
  return res.body;
}

describe('every path that raises a level waits for the checker', () => {
  let holder: Actor;
  let enableHolder: Actor;
  let heldRole: string;

  beforeAll(async () => {
    holder = await w.user(w.admin.api, { roleId: weakRole });
    heldRole = await w.role(w.admin.api, { scope: 'TENANT', acl: { refunds: 'RW' } });
    enableHolder = await w.user(w.admin.api, { roleId: heldRole });
    expectStatus(await w.admin.api.post(`/v1/roles/${heldRole}/disable`), 200);
    await setRaiseControl(true);
  });
  afterAll(async () => setRaiseControl(false));

  it('POST /roles then PATCH /users/:id/role: the creation raises nobody, the assignment is held, then executed as the maker', async () => {
    const created = await w.admin.api.post('/v1/roles', { name: uniqueId('strong'), scope: 'TENANT', acl: { refunds: 'RW' } });
    expectStatus(created, 201);
    const held = await w.admin.api.patch(`/v1/users/${holder.id}/role`, { roleId: created.body.id });
    expectStatus(held, 202);
    expect(await roleOf(holder.id)).toBe(weakRole);
    const done = await approve(held.body.approvalId);
    expect(done).toMatchObject({ status: 'EXECUTED', module: 'roles', request: { action: 'user.role.update', targetId: holder.id, raised: ['refunds'] } });
    expect(await roleOf(holder.id)).toBe(created.body.id);
    // Back to the weaker role lowers: at once.
    expectStatus(await w.admin.api.patch(`/v1/users/${holder.id}/role`, { roleId: weakRole }), 200);
  });

  it('clone then assign: the clone raises nobody, assigning it is held', async () => {
    const strong = await w.role(w.admin.api, { scope: 'TENANT', acl: { refunds: 'RW', orders: 'R' } });
    const clone = await w.admin.api.post(`/v1/roles/${strong}/clone`);
    expectStatus(clone, 201);
    const held = await w.admin.api.patch(`/v1/users/${holder.id}/role`, { roleId: clone.body.id });
    expectStatus(held, 202);
    expect(await roleOf(holder.id)).toBe(weakRole);
  });

  it('enabling a role that has holders is held; enabling one nobody holds acts at once', async () => {
    const held = await w.admin.api.post(`/v1/roles/${heldRole}/enable`);
    expectStatus(held, 202);
    expect((await w.admin.api.get(`/v1/roles/${heldRole}`)).body.enabled).toBe(false);
    expect((await enableHolder.api.get('/v1/me')).status).toBe(200);
    expect((await approve(held.body.approvalId)).status).toBe('EXECUTED');
    expect((await w.admin.api.get(`/v1/roles/${heldRole}`)).body.enabled).toBe(true);

    const unheld = await w.role(w.admin.api, { scope: 'TENANT', acl: { refunds: 'RW' } });
    expectStatus(await w.admin.api.post(`/v1/roles/${unheld}/disable`), 200);
    expectStatus(await w.admin.api.post(`/v1/roles/${unheld}/enable`), 200);
  });

  it('an invitation with a role that grants anything is held; the user exists (and is mailed) only once approved', async () => {
    const email = `${uniqueId('u')}@users.test`;
    const held = await w.admin.api.post('/v1/users', { email, roleId: weakRole });
    expectStatus(held, 202);
    expect((await w.admin.api.get(`/v1/users?q=${encodeURIComponent(email)}`)).body.items).toEqual([]);
    expect(await mailsTo(email)).toEqual([]);
    const done = await approve(held.body.approvalId);
    expect(done).toMatchObject({ status: 'EXECUTED', request: { action: 'user.invite', raised: ['refunds'] } });
    const [user] = (await w.admin.api.get(`/v1/users?q=${encodeURIComponent(email)}`)).body.items;
    expect(user).toMatchObject({ email, status: 'INVITED', roleId: weakRole });
    expect(await mailsTo(email)).toHaveLength(1);
  });

  it('PATCH /roles keeps holding a raising edit', async () => {
    const held = await w.admin.api.patch(`/v1/roles/${weakRole}`, { acl: { refunds: 'RW' } });
    expectStatus(held, 202);
    expect((await w.admin.api.get(`/v1/roles/${weakRole}`)).body.acl).toEqual({ refunds: 'R' });
  });
});

describe('the role-edit lock race', () => {
  beforeAll(async () => setRaiseControl(true));
  afterAll(async () => setRaiseControl(false));

  async function waitingOnLocks(n: number): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const rows = await cp.deps.orm.em.getConnection().execute<{ n: string }[]>(
        "select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
      );
      if (Number(rows[0]!.n) >= n) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`never saw ${n} request(s) waiting on the role's lock`);
  }

  it('a raise decided while a lowering edit waits on the same role is still held, never applied at once', async () => {
    const roleId = await w.role(w.admin.api, { scope: 'TENANT', acl: { refunds: 'RW' } });
    // Hold the role's row lock, so both edits queue behind it.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const lock = cp.deps.orm.em.fork().transactional(async (em) => {
      await em.getConnection().execute('select id from roles where id = ? for update', [roleId], 'all', em.getTransactionContext());
      locked();
      await gate;
    });
    await isLocked;
    const lowering = w.admin.api.patch(`/v1/roles/${roleId}`, { acl: { refunds: 'R' } });
    await waitingOnLocks(1);
    const raising = w.admin.api.patch(`/v1/roles/${roleId}`, { acl: { refunds: 'RW' } });
    await waitingOnLocks(2);
    release();
    await lock;
    const [low, high] = await Promise.all([lowering, raising]);
    expectStatus(low, 200);
    // refunds never went from R to RW without a checker.
    expect((await w.admin.api.get(`/v1/roles/${roleId}`)).body.acl).toEqual({ refunds: 'R' });
    // The lowering queued first, so the raise was decided on R, under the lock: held. (Before the
    // fix it was decided on RW read without the lock, and only the role's optimistic version
    // turned the late write into 409 CONFLICT.)
    expectStatus(high, 202);
    const pending = await w.admin.api.get(`/v1/approvals/${high.body.approvalId}`);
    expect(pending.body.request).toMatchObject({ action: 'role.update', raised: ['refunds'] });
  });
});
