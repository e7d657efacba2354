// The access-control matrix's "actor below target" dimension (issue 17,
// findings 1, 2 and 15): nobody acts on a user or a role whose role grants
// any module more than their own. Every user action and every role mutation
// is tried by an administrator who holds the permission the route needs but
// is weaker than the target: each answers 403 PRIVILEGE_ESCALATION and writes
// nothing; the same request on a target at the actor's level gets past
// authorization (the control). The rule lives in the policy (authz/admin,
// policies/authz/admin_targets.rego); the routes only give it the target's ACL.
//
// OWASP ASVS 4.0.3 V4.1.3 (least privilege), V4.2.1; ASVS 5.0 V8.2.2;
// OWASP API Security Top 10 2023 API5 (broken function-level authorization).
import { beforeAll, describe, expect, it } from 'vitest';
import type { Acl } from '../../src/roles/role.entity.ts';
import { Tenant } from '../../src/tenants/tenant.entity.ts';
import type { UserStatus } from '../../src/users/user.entity.ts';
import { useControlPlane } from '../support/control-plane.ts';
import { activate, newTenant, tokenFor, uniqueId } from '../support/fixtures.ts';
import { rewrite, seedMerchant, seedRole, seedUser } from '../support/seed.ts';
import { rowsDigest, send, type Answer } from '../support/worlds/security.ts';

const cp = useControlPlane();
let tenantId: string;
let merchantId: string;

const STRONG: Acl = { '*': 'RW', audit: 'R' };
/** May administer users (and their merchant access), not roles. */
const USER_ADMIN: Acl = { users: 'RW', roles: 'R', tenants: 'RW', user_hard_delete: 'RW' };
/** May administer roles, only read users. */
const ROLE_ADMIN: Acl = { roles: 'RW', users: 'R' };
/** Above ROLE_ADMIN on users, holding no separation-of-duties pair (a clone of it is refused for the level, not SOD). */
const STRONG_ROLE: Acl = { roles: 'RW', users: 'RW', orders: 'RW' };

async function role(acl: Acl | null, enabled = true): Promise<string> {
  const em = cp.deps.orm.em.fork();
  const { id } = seedRole(em, { tenantId, name: uniqueId('lvl'), acl: acl ?? {}, enabled });
  await em.flush();
  if (acl === null) await cp.deps.orm.em.getConnection().execute(`update roles set acl = 'null' where id = ?`, [id]);
  return id;
}

async function person(roleId: string, status: UserStatus = 'ACTIVE'): Promise<string> {
  const em = cp.deps.orm.em.fork();
  const { id } = seedUser(em, { tenantId, email: `${uniqueId('lvl')}@levels.test`, roleId, status });
  await em.flush();
  if (status === 'ACTIVE') await activate(cp.deps, id);
  return id;
}

async function actor(acl: Acl): Promise<{ id: string; token: string }> {
  const id = await person(await role(acl));
  return { id, token: await tokenFor(cp.deps, id) };
}

/** Every row of the tenant (users, roles, sessions, tokens, approvals, audit): equal means nothing was written. */
async function snapshot(): Promise<string> {
  const [row] = await cp.deps.orm.em.getConnection().execute<{ d: string }[]>(
    `select concat_ws(',', ${rowsDigest('users t where t.tenant_id = ?')}, ${rowsDigest('roles t where t.tenant_id = ?')},
       ${rowsDigest('sessions t where t.tenant_id = ?')}, ${rowsDigest('approvals t where t.tenant_id = ?')},
       ${rowsDigest('audit_events t where t.tenant_id = ?')},
       ${rowsDigest('one_time_tokens t where t.user_id in (select id from users where tenant_id = ?)')}) as d`,
    Array.from({ length: 6 }, () => tenantId),
  );
  return row!.d;
}

async function setApprovals(approvals: Tenant['approvals']): Promise<void> {
  await cp.deps.orm.em.fork().nativeUpdate(Tenant, { id: tenantId }, { approvals });
}

const call = (token: string, method: string, path: string, body?: unknown): Promise<Answer> =>
  send(cp.url, { token, method, path: `/v1${path}`, ...(body === undefined ? {} : { body }) });

beforeAll(async () => {
  const t = await newTenant(cp.deps);
  tenantId = t.tenant.id;
  merchantId = uniqueId('m');
  const em = cp.deps.orm.em.fork();
  seedMerchant(em, { id: merchantId, tenantId, name: 'Shop' });
  await em.flush();
});

/** A user action: the request, on `target` (a user id). */
interface UserAction {
  name: string;
  method: string;
  path: (target: string) => string;
  body?: (ids: { minimalRole: string }) => unknown;
  /** The target's state the action needs (the control must get past the state checks too). */
  status?: UserStatus;
}

const userActions: UserAction[] = [
  { name: 'role change', method: 'PATCH', path: (t) => `/users/${t}/role`, body: (ids) => ({ roleId: ids.minimalRole }) },
  { name: 'email change', method: 'PATCH', path: (t) => `/users/${t}/email`, body: () => ({ email: `${uniqueId('taken-over')}@attacker.test` }) },
  { name: 'reset-mfa', method: 'POST', path: (t) => `/users/${t}/reset-mfa` },
  { name: 'disable', method: 'POST', path: (t) => `/users/${t}/disable` },
  { name: 'enable', method: 'POST', path: (t) => `/users/${t}/enable`, status: 'DISABLED' },
  { name: 'revoke-sessions', method: 'POST', path: (t) => `/users/${t}/revoke-sessions` },
  { name: 'soft delete', method: 'POST', path: (t) => `/users/${t}/soft-delete` },
  { name: 'restore', method: 'POST', path: (t) => `/users/${t}/restore`, status: 'SOFT_DEL' },
  { name: 'unlock', method: 'POST', path: (t) => `/users/${t}/unlock` },
  { name: 'resend invitation', method: 'POST', path: (t) => `/users/${t}/resend-invitation`, status: 'INVITED' },
  { name: 'hard delete', method: 'DELETE', path: (t) => `/users/${t}` },
  { name: 'merchant access', method: 'PUT', path: (t) => `/users/${t}/merchant-access`, body: () => ({ merchantsAccess: [merchantId] }) },
  { name: 'restrictions', method: 'PUT', path: (t) => `/users/${t}/restrictions`, body: () => ({ productIds: ['p1'], gatewayRefIds: [] }) },
];

describe('actor below target: users (finding 2)', () => {
  let admin: { id: string; token: string };
  let strongRole: string;
  let peerRole: string;
  let minimalRole: string;
  beforeAll(async () => {
    admin = await actor(USER_ADMIN);
    strongRole = await role(STRONG);
    peerRole = await role({ users: 'R' });
    minimalRole = await role({ roles: 'R' });
  });

  for (const a of userActions) {
    it(`${a.name} on a user whose role grants more: 403 PRIVILEGE_ESCALATION, nothing written`, async () => {
      const target = await person(strongRole, a.status);
      const before = await snapshot();
      const res = await call(admin.token, a.method, a.path(target), a.body?.({ minimalRole }));
      expect([res.status, res.body?.code]).toEqual([403, 'PRIVILEGE_ESCALATION']);
      expect(await snapshot()).toBe(before);
    });

    it(`${a.name} on a user at the actor's level gets past authorization`, async () => {
      const target = await person(peerRole, a.status);
      const res = await call(admin.token, a.method, a.path(target), a.body?.({ minimalRole }));
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    });
  }

  it('a held hard delete (hardDeleteUser on) of a stronger user is refused, not held', async () => {
    await setApprovals({ hardDeleteUser: true });
    try {
      const target = await person(strongRole);
      const before = await snapshot();
      const res = await call(admin.token, 'DELETE', `/users/${target}`);
      expect([res.status, res.body?.code], JSON.stringify(res.body)).toEqual([403, 'PRIVILEGE_ESCALATION']);
      expect(await snapshot()).toBe(before);
      const peer = await person(peerRole);
      expect((await call(admin.token, 'DELETE', `/users/${peer}`)).status).toBe(202);
    } finally {
      await setApprovals({});
    }
  });
});

describe('actor below target: roles (finding 1)', () => {
  let admin: { id: string; token: string };
  beforeAll(async () => {
    admin = await actor(ROLE_ADMIN);
  });

  const roleActions: { name: string; method: string; path: (r: string) => string; body?: unknown; enabled?: boolean; ok: number }[] = [
    { name: 'an ACL-only edit (lowering it)', method: 'PATCH', path: (r) => `/roles/${r}`, body: { acl: { roles: 'R' } }, ok: 200 },
    { name: 'a rename', method: 'PATCH', path: (r) => `/roles/${r}`, body: { name: uniqueId('renamed') }, ok: 200 },
    { name: 'disable', method: 'POST', path: (r) => `/roles/${r}/disable`, ok: 200 },
    { name: 'enable', method: 'POST', path: (r) => `/roles/${r}/enable`, enabled: false, ok: 200 },
    { name: 'delete', method: 'DELETE', path: (r) => `/roles/${r}`, ok: 204 },
    { name: 'clone', method: 'POST', path: (r) => `/roles/${r}/clone`, ok: 201 },
  ];

  for (const a of roleActions) {
    it(`${a.name} of a role that grants more: 403 PRIVILEGE_ESCALATION, nothing written`, async () => {
      const target = await role(STRONG_ROLE, a.enabled ?? true);
      const before = await snapshot();
      const res = await call(admin.token, a.method, a.path(target), a.body);
      expect([res.status, res.body?.code]).toEqual([403, 'PRIVILEGE_ESCALATION']);
      expect(await snapshot()).toBe(before);
    });

    it(`${a.name} of a role within the actor's levels is done`, async () => {
      const target = await role({ roles: 'R', users: 'R' }, a.enabled ?? true);
      const res = await call(admin.token, a.method, a.path(target), a.body);
      expect(res.status, JSON.stringify(res.body)).toBe(a.ok);
    });
  }

  it('with roleLevelRaise on, a raising edit of a stronger role is refused, not held', async () => {
    await setApprovals({ roleLevelRaise: true });
    try {
      // {users: RW} is above the actor's users: R; the new ACL raises roles, within the actor.
      const target = await role({ users: 'RW' });
      const before = await snapshot();
      const res = await call(admin.token, 'PATCH', `/roles/${target}`, { acl: { roles: 'RW' } });
      expect([res.status, res.body?.code]).toEqual([403, 'PRIVILEGE_ESCALATION']);
      expect(await snapshot()).toBe(before);
      const within = await role({ users: 'R' });
      expect((await call(admin.token, 'PATCH', `/roles/${within}`, { acl: { roles: 'RW' } })).status).toBe(202);
    } finally {
      await setApprovals({});
    }
  });

  it('a held role edit is not executed once its maker is below the role (re-checked at approval)', async () => {
    await setApprovals({ roleLevelRaise: true });
    try {
      const makerRole = await role({ roles: 'RW', users: 'RW' });
      const maker = await person(makerRole);
      const checker = await actor({ roles: 'CHECKER' });
      const target = await role({ users: 'RW' });
      const held = await call(await tokenFor(cp.deps, maker), 'PATCH', `/roles/${target}`, { acl: { roles: 'RW' } });
      expect(held.status, JSON.stringify(held.body)).toBe(202);
      // The maker's own role drops below the target role before a checker decides.
      await rewrite.role(cp.deps, makerRole, { acl: { roles: 'RW', users: 'R' } });
      await cp.deps.changes.publish([{ kind: 'role', id: makerRole }]);
      const res = await call(checker.token, 'POST', `/approvals/${held.body.approvalId}/approve`);
      // The approval is decided (200) and FAILED, the edit not applied.
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ status: 'FAILED', result: { code: 'MAKER_NOT_PERMITTED', reasons: ['PRIVILEGE_ESCALATION'] } });
      const [row] = await cp.deps.orm.em.getConnection().execute<{ acl: Acl }[]>('select acl from roles where id = ?', [target]);
      expect(row!.acl).toEqual({ users: 'RW' });
    } finally {
      await setApprovals({});
    }
  });
});

describe('a role whose ACL is not an object grants nothing (finding 15)', () => {
  it('a holder of a role with a JSON null ACL is refused every administrative operation', async () => {
    const id = await person(await role(null));
    const token = await tokenFor(cp.deps, id);
    for (const [method, path, body] of [
      ['GET', '/users', undefined],
      ['GET', '/roles', undefined],
      ['POST', '/roles', { name: uniqueId('r'), scope: 'TENANT', acl: {} }],
      ['POST', '/users', { email: `${uniqueId('n')}@levels.test`, roleId: await role({}) }],
    ] as const) {
      const res = await call(token, method, path, body);
      expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(403);
    }
  });
});
