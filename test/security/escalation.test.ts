// Privilege escalation and mass assignment on the control plane: creating,
// editing, cloning, enabling, deleting or assigning a role stronger than
// one's own; granting more merchants, products or gateways than one holds;
// acting outside the creation table; changing one's own role, status or
// access; and fields smuggled into bodies where they do not belong. Every
// refusal has its documented code and leaves the database exactly as it was.
//
// OWASP ASVS 4.0.3 V4.1.3 (least privilege), V4.2.1, V4.3.1 (admin functions
// protected), V5.1.2 (mass assignment: unknown fields rejected), V1.4.4;
// ASVS 5.0 V8.2.2, V8.3.1, V2.2.1 (input validated against an allow-list);
// OWASP API Security Top 10 2023 API3 (broken object property level
// authorization: mass assignment), API5 (function level).
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Acl, ContextType } from '../../src/roles/role.entity.ts';
import type { User } from '../../src/users/user.entity.ts';
import { useControlPlane } from '../support/control-plane.ts';
import { tokenFor, uniqueId } from '../support/fixtures.ts';
import { seedRole, seedUser } from '../support/seed.ts';
import { fingerprint, securityWorld, send, type Answer, type SecurityWorld } from '../support/worlds/security.ts';
import { auditEventsOf } from '../support/audit.ts';

const cp = useControlPlane();
let w: SecurityWorld;

/** Roles and users of this file, besides the shared world's. */
const r = {} as { weak: string; strong: string; strongOff: string; limited: string };
const u = {} as {
  limited: { id: string; token: string };
  productBound: { id: string; token: string };
  victim: string;
  resellerTarget: string;
};

async function role(acl: Acl, scope: ContextType = 'TENANT', enabled = true): Promise<string> {
  const em = cp.deps.orm.em.fork();
  const { id } = seedRole(em, { tenantId: w.tenantA, name: uniqueId('esc'), scope, acl, enabled });
  await em.flush();
  return id;
}

async function person(roleId: string, extra: Partial<Pick<User, 'type' | 'resellerId' | 'merchantsAccess' | 'productIds' | 'gatewayRefIds'>> = {}) {
  const em = cp.deps.orm.em.fork();
  const { id } = seedUser(em, { ...extra, tenantId: w.tenantA, email: `${uniqueId('esc')}@security.test`, roleId });
  await em.flush();
  return { id, token: await tokenFor(cp.deps, id) };
}

beforeAll(async () => {
  w = await securityWorld(cp);
  r.weak = await role({ orders: 'R' });
  r.strong = await role({ orders: 'RW' });
  r.strongOff = await role({ orders: 'RW' }, 'TENANT', false);
  r.limited = await role({ users: 'RW', roles: 'RW', merchants: 'R', resellers: 'R', orders: 'R' });
  u.limited = await person(r.limited);
  u.productBound = await person(await role({ users: 'RW', roles: 'R', orders: 'R' }), { productIds: ['p1'], gatewayRefIds: ['g1'] });
  u.victim = (await person(r.weak)).id;
  u.resellerTarget = (await person(w.systemRoles.A.RESELLER.id, { type: 'RESELLER', resellerId: w.resellers.r1, merchantsAccess: [w.targets.own.merchantId] })).id;
});

interface Attempt {
  name: string;
  as: string | null;
  method: string;
  path: string;
  body?: unknown;
  want: [number, string];
}

/** Runs attempts one by one; each must answer as said and, with the rest, write nothing at all. */
async function expectRefusedWithoutWrites(attempts: Attempt[]): Promise<void> {
  const before = await fingerprint(cp, [w.tenantA, w.tenantB]);
  const answers: { a: Attempt; got: Answer }[] = [];
  for (const a of attempts) answers.push({ a, got: await send(cp.url, { method: a.method, path: a.path, body: a.body, token: a.as }) });
  const wrong = answers
    .filter(({ a, got }) => got.status !== a.want[0] || got.body?.code !== a.want[1])
    .map(({ a, got }) => `${a.name}: want ${a.want.join(' ')}, got ${got.status} ${got.body?.code ?? ''} ${got.body?.message ?? ''}`);
  expect(wrong).toEqual([]);
  expect(await fingerprint(cp, [w.tenantA, w.tenantB])).toEqual(before);
  expect(await auditEventsOf(cp, answers.map(({ got }) => got.requestId))).toEqual([]);
}

const ESCALATION: [number, string] = [403, 'PRIVILEGE_ESCALATION'];
const SELF: [number, string] = [403, 'SELF_MODIFICATION'];
const FORBIDDEN: [number, string] = [403, 'FORBIDDEN'];
const OUT_OF_SCOPE: [number, string] = [403, 'MERCHANT_OUT_OF_SCOPE'];
const INVALID: [number, string] = [400, 'VALIDATION_FAILED'];

describe('nobody grants more than they hold (docs/domain.md#no-escalation)', () => {
  it('roles above one\'s own: created, edited, cloned, enabled, deleted or assigned', async () => {
    const L = u.limited.token;
    const newRole = (acl: Acl) => ({ name: uniqueId('esc'), scope: 'TENANT', acl });
    await expectRefusedWithoutWrites([
      { name: 'create RW over own R', as: L, method: 'POST', path: '/v1/roles', body: newRole({ orders: 'RW' }), want: ESCALATION },
      { name: 'create a wildcard', as: L, method: 'POST', path: '/v1/roles', body: newRole({ '*': 'R' }), want: ESCALATION },
      { name: 'create CHECKER over own R', as: L, method: 'POST', path: '/v1/roles', body: newRole({ orders: 'CHECKER' }), want: ESCALATION },
      { name: 'create a module one lacks', as: L, method: 'POST', path: '/v1/roles', body: newRole({ tenants: 'R' }), want: ESCALATION },
      { name: 'create hard delete', as: L, method: 'POST', path: '/v1/roles', body: newRole({ user_hard_delete: 'RW' }), want: ESCALATION },
      { name: 'create audit RW (over the ceiling)', as: w.actors.tenantAdmin.token, method: 'POST', path: '/v1/roles', body: newRole({ audit: 'RW' }), want: FORBIDDEN },
      { name: 'create both sides of an SoD pair', as: w.actors.tenantAdmin.token, method: 'POST', path: '/v1/roles', body: newRole({ refunds: 'RW', refund_approvals: 'CHECKER' }), want: [422, 'SOD_VIOLATION'] },
      { name: 'edit a role up', as: L, method: 'PATCH', path: `/v1/roles/${r.weak}`, body: { acl: { orders: 'RW' } }, want: ESCALATION },
      { name: 'edit a role to a wildcard', as: L, method: 'PATCH', path: `/v1/roles/${r.weak}`, body: { acl: { '*': 'R' } }, want: ESCALATION },
      { name: 'edit one\'s own role up', as: L, method: 'PATCH', path: `/v1/roles/${r.limited}`, body: { acl: { users: 'RW', roles: 'RW', payments: 'RW' } }, want: ESCALATION },
      { name: 'rename a stronger role', as: L, method: 'PATCH', path: `/v1/roles/${r.strong}`, body: { name: 'mine now' }, want: ESCALATION },
      { name: 'clone a stronger role', as: L, method: 'POST', path: `/v1/roles/${r.strong}/clone`, want: ESCALATION },
      { name: 'clone the Tenant Admin role', as: L, method: 'POST', path: `/v1/roles/${w.systemRoles.A.TENANT.id}/clone`, want: ESCALATION },
      { name: 'enable a stronger role', as: L, method: 'POST', path: `/v1/roles/${r.strongOff}/enable`, want: ESCALATION },
      { name: 'disable a stronger role', as: L, method: 'POST', path: `/v1/roles/${r.strong}/disable`, want: ESCALATION },
      { name: 'delete a stronger role', as: L, method: 'DELETE', path: `/v1/roles/${r.strong}`, want: ESCALATION },
      { name: 'assign a stronger role', as: L, method: 'PATCH', path: `/v1/users/${u.victim}/role`, body: { roleId: r.strong }, want: ESCALATION },
      { name: 'assign Tenant Admin', as: L, method: 'PATCH', path: `/v1/users/${u.victim}/role`, body: { roleId: w.systemRoles.A.TENANT.id }, want: ESCALATION },
      { name: 'invite with a stronger role', as: L, method: 'POST', path: '/v1/users', body: { email: `${uniqueId('esc')}@security.test`, roleId: r.strong }, want: ESCALATION },
      { name: 'invite a Tenant Admin', as: L, method: 'POST', path: '/v1/users', body: { email: `${uniqueId('esc')}@security.test`, roleId: w.systemRoles.A.TENANT.id }, want: ESCALATION },
      { name: 'edit a system role', as: w.actors.tenantAdmin.token, method: 'PATCH', path: `/v1/roles/${w.systemRoles.A.TENANT.id}`, body: { name: 'x' }, want: FORBIDDEN },
      { name: 'delete a system role', as: w.actors.tenantAdmin.token, method: 'DELETE', path: `/v1/roles/${w.systemRoles.A.MERCHANT.id}`, want: FORBIDDEN },
    ]);
  });

  it('merchants, products and gateways beyond one\'s own', async () => {
    const P = u.productBound.token;
    const { own, sibling } = w.targets;
    await expectRefusedWithoutWrites([
      { name: 'unrestrict products', as: P, method: 'PUT', path: `/v1/users/${u.victim}/restrictions`, body: { productIds: [], gatewayRefIds: ['g1'] }, want: ESCALATION },
      { name: 'another product', as: P, method: 'PUT', path: `/v1/users/${u.victim}/restrictions`, body: { productIds: ['p2'], gatewayRefIds: ['g1'] }, want: ESCALATION },
      { name: 'another gateway', as: P, method: 'PUT', path: `/v1/users/${u.victim}/restrictions`, body: { productIds: ['p1'], gatewayRefIds: ['g1', 'g2'] }, want: ESCALATION },
      { name: 'invite unrestricted', as: P, method: 'POST', path: '/v1/users', body: { email: `${uniqueId('esc')}@security.test`, roleId: r.weak }, want: ESCALATION },
      { name: 'grant every merchant with a listed access', as: w.actors.resellerRestricted.token, method: 'PUT', path: `/v1/users/${u.resellerTarget}/merchant-access`, body: { merchantsAccess: [] }, want: OUT_OF_SCOPE },
      { name: 'grant a sibling merchant one lacks', as: w.actors.resellerRestricted.token, method: 'PUT', path: `/v1/users/${u.resellerTarget}/merchant-access`, body: { merchantsAccess: [own.merchantId, sibling.merchantId] }, want: OUT_OF_SCOPE },
      { name: 'grant another reseller\'s merchant', as: w.actors.resellerAdmin.token, method: 'PUT', path: `/v1/users/${u.resellerTarget}/merchant-access`, body: { merchantsAccess: [w.targets.otherReseller.merchantId] }, want: OUT_OF_SCOPE },
      { name: 'grant another tenant\'s merchant', as: w.actors.tenantAdmin.token, method: 'PUT', path: `/v1/users/${u.victim}/merchant-access`, body: { merchantsAccess: [w.targets.otherTenant.merchantId] }, want: OUT_OF_SCOPE },
      { name: 'invite with a merchant one lacks', as: w.actors.tenantLimited.token, method: 'POST', path: '/v1/users', body: { email: `${uniqueId('esc')}@security.test`, roleId: r.weak, merchantsAccess: [sibling.merchantId] }, want: OUT_OF_SCOPE },
      { name: 'a merchant user with a merchant list', as: w.actors.merchantAdmin.token, method: 'POST', path: '/v1/users', body: { email: `${uniqueId('esc')}@security.test`, roleId: own.heldRole, merchantsAccess: [own.merchantId] }, want: INVALID },
    ]);
  });

  it('creation above one\'s level (docs/domain.md#creation)', async () => {
    const email = () => `${uniqueId('esc')}@security.test`;
    const M = w.actors.merchantAdmin.token;
    const R = w.actors.resellerAdmin.token;
    await expectRefusedWithoutWrites([
      { name: 'merchant context invites a tenant user', as: M, method: 'POST', path: '/v1/users', body: { email: email(), type: 'TENANT', roleId: r.weak }, want: FORBIDDEN },
      { name: 'merchant context invites a reseller user', as: M, method: 'POST', path: '/v1/users', body: { email: email(), type: 'RESELLER', resellerId: w.resellers.r1, roleId: w.systemRoles.A.RESELLER.id }, want: FORBIDDEN },
      { name: 'merchant context creates a merchant', as: M, method: 'POST', path: '/v1/merchants', body: { id: uniqueId('m'), name: 'x', email: email(), country: 'NL' }, want: FORBIDDEN },
      { name: 'merchant context creates a tenant role', as: M, method: 'POST', path: '/v1/roles', body: { name: 'x', scope: 'TENANT', acl: {} }, want: FORBIDDEN },
      { name: 'merchant context creates a reseller role', as: M, method: 'POST', path: '/v1/roles', body: { name: 'x', scope: 'RESELLER', acl: {} }, want: FORBIDDEN },
      { name: 'reseller context invites a tenant user', as: R, method: 'POST', path: '/v1/users', body: { email: email(), type: 'TENANT', roleId: r.weak }, want: FORBIDDEN },
      { name: 'reseller context creates a reseller', as: R, method: 'POST', path: '/v1/resellers', body: { id: uniqueId('r'), name: 'x', email: email(), type: 'ISO' }, want: FORBIDDEN },
      { name: 'reseller context creates a tenant role', as: R, method: 'POST', path: '/v1/roles', body: { name: 'x', scope: 'TENANT', acl: {} }, want: FORBIDDEN },
      { name: 'reseller context sets platform settings', as: R, method: 'POST', path: '/v1/merchants', body: { id: uniqueId('m'), name: 'x', email: email(), country: 'NL', settings: { mfaRequired: false } }, want: INVALID },
      { name: 'a tenant user named with a reseller', as: w.actors.tenantAdmin.token, method: 'POST', path: '/v1/users', body: { email: email(), type: 'TENANT', resellerId: w.resellers.r1, roleId: r.weak }, want: INVALID },
    ]);
  });
});

describe('nobody changes their own role, status or access (SELF_MODIFICATION)', () => {
  it.each(['tenantAdmin', 'resellerAdmin', 'merchantAdmin'] as const)('%s on itself', async (kind) => {
    const actor = w.actors[kind];
    const me = actor.id!;
    const otherRole = kind === 'tenantAdmin' ? r.weak : kind === 'resellerAdmin' ? w.systemRoles.A.RESELLER.id : w.targets.own.heldRole;
    const call = (method: string, path: string, body?: unknown): Attempt => ({ name: `${method} ${path}`, as: actor.token, method, path, body, want: SELF });
    await expectRefusedWithoutWrites([
      call('PATCH', `/v1/users/${me}/role`, { roleId: otherRole }),
      call('POST', `/v1/users/${me}/disable`),
      call('POST', `/v1/users/${me}/soft-delete`),
      call('POST', `/v1/users/${me}/enable`),
      call('POST', `/v1/users/${me}/restore`),
      call('PUT', `/v1/users/${me}/restrictions`, { productIds: ['p1'], gatewayRefIds: [] }),
      call('POST', `/v1/users/${me}/reset-mfa`),
      // Only Tenant Admin holds user_hard_delete (docs/domain.md#roles): the others are refused before the self check.
      { ...call('DELETE', `/v1/users/${me}`), ...(kind === 'tenantAdmin' ? {} : { want: FORBIDDEN }) },
      ...(kind === 'merchantAdmin' ? [] : [call('PUT', `/v1/users/${me}/merchant-access`, { merchantsAccess: [w.targets.own.merchantId] })]),
    ]);
  });

  it('nobody disables the role they hold', async () => {
    await expectRefusedWithoutWrites([
      { name: 'disable own role', as: u.limited.token, method: 'POST', path: `/v1/roles/${r.limited}/disable`, want: SELF },
    ]);
  });
});

describe('fields where they do not belong are refused, not ignored (mass assignment)', () => {
  it('every body with a smuggled field answers 400 VALIDATION_FAILED and writes nothing', async () => {
    const T = w.actors.tenantAdmin.token;
    const t = w.targets.own;
    const email = () => `${uniqueId('mass')}@security.test`;
    /** [route, base body (valid), fields that do not belong there, token] */
    const routes: [string, string, Record<string, unknown>, string[], string | null][] = [
      ['POST', '/v1/users', { email: email(), roleId: r.weak }, ['tenantId', 'status', 'id', 'enabled', 'mfaEnrolled', 'passwordHash', 'createdAt', 'roleIds'], T],
      ['PATCH', `/v1/users/${u.victim}/role`, { roleId: r.strong }, ['status', 'tenantId', 'merchantsAccess', 'type', 'productIds'], T],
      ['PUT', `/v1/users/${u.victim}/merchant-access`, { merchantsAccess: [t.merchantId] }, ['status', 'roleId', 'type', 'tenantId'], T],
      ['PUT', `/v1/users/${u.victim}/restrictions`, { productIds: ['p9'], gatewayRefIds: [] }, ['merchantsAccess', 'roleId', 'status'], T],
      ['PATCH', `/v1/users/${u.victim}/email`, { email: email() }, ['status', 'emailVerified', 'roleId'], T],
      ['POST', '/v1/roles', { name: uniqueId('mass'), scope: 'TENANT', acl: { orders: 'R' } }, ['tenantId', 'ownerType', 'ownerId', 'system', 'enabled', 'id', 'activeUsersCount', 'version'], T],
      ['PATCH', `/v1/roles/${r.weak}`, { name: uniqueId('mass') }, ['scope', 'system', 'ownerType', 'ownerId', 'tenantId', 'enabled', 'id'], T],
      ['POST', '/v1/merchants', { id: uniqueId('m'), name: 'x', email: email(), country: 'NL' }, ['tenantId', 'gateways', 'version', 'createdAt'], T],
      ['POST', '/v1/resellers', { id: uniqueId('r'), name: 'x', email: email(), type: 'ISO' }, ['tenantId', 'admin', 'status', 'roleId'], T],
      ['POST', '/v1/auth/switch', { type: 'MERCHANT', id: t.merchantId }, ['tenantId', 'userId', 'ctx_type', 'roleId'], T],
      ['POST', '/v1/auth/login', { email: 'nobody@security.test', password: 'x'.repeat(12) }, ['tenantId', 'mfaVerified', 'status'], null],
      ['POST', '/v1/auth/refresh', { refreshToken: 'x'.repeat(43) }, ['sessionId', 'userId'], null],
      ['POST', '/v1/invitations/accept', { token: 'x'.repeat(43), password: 'violet-harbour-47-lanterns' }, ['status', 'roleId', 'email'], null],
      ['PATCH', '/v1/tenants/current/approval-settings', { hardDeleteUser: false }, ['tenantId', 'id'], T],
      ['POST', `/v1/approvals/${t.approval}/reject`, { reason: 'x' }, ['status', 'checkerId'], w.actors.tenantChecker.token],
      // Routes that take no body: a body is refused too, never silently ignored.
      ['POST', `/v1/users/${u.victim}/enable`, {}, ['status'], T],
      ['POST', `/v1/users/${u.victim}/disable`, {}, ['status'], T],
      ['POST', `/v1/users/${u.victim}/soft-delete`, {}, ['status'], T],
      ['POST', `/v1/users/${u.victim}/restore`, {}, ['status', 'roleId'], T],
      ['POST', `/v1/users/${u.victim}/unlock`, {}, ['lockedUntil', 'failedAttempts'], T],
      ['POST', `/v1/users/${u.victim}/revoke-sessions`, {}, ['keepSessionId'], T],
      ['POST', `/v1/users/${u.victim}/reset-mfa`, {}, ['mfaEnrolled'], T],
      ['POST', `/v1/users/${u.victim}/resend-invitation`, {}, ['email'], T],
      ['POST', `/v1/roles/${r.weak}/clone`, {}, ['name', 'acl', 'scope'], T],
      ['POST', `/v1/roles/${r.weak}/enable`, {}, ['acl'], T],
      ['POST', `/v1/roles/${r.strongOff}/disable`, {}, ['acl'], T],
      ['POST', `/v1/approvals/${t.approval}/approve`, {}, ['status', 'checkerId'], w.actors.tenantChecker.token],
      // A session of its own: were the body ignored, this would end it.
      ['POST', '/v1/auth/logout', {}, ['sessionId', 'userId'], await tokenFor(cp.deps, w.actors.tenantAdmin.id!)],
    ];
    const smuggled: Record<string, unknown> = {
      tenantId: w.tenantB, status: 'ACTIVE', id: randomUUID(), enabled: true, mfaEnrolled: true, passwordHash: 'x', createdAt: new Date(0).toISOString(),
      roleIds: [w.systemRoles.A.TENANT.id], merchantsAccess: [], type: 'TENANT', productIds: [], roleId: w.systemRoles.A.TENANT.id, emailVerified: true,
      ownerType: 'TENANT', ownerId: w.tenantA, system: true, activeUsersCount: 0, version: 1, scope: 'TENANT', gateways: ['g1'],
      admin: { email: 'a@b.test' }, userId: w.actors.tenantAdmin.id, ctx_type: 'TENANT', mfaVerified: true, sessionId: randomUUID(),
      checkerId: randomUUID(), lockedUntil: null, failedAttempts: 0, keepSessionId: randomUUID(), email: 'attacker@evil.test', name: 'x', acl: { '*': 'RW' },
    };
    await expectRefusedWithoutWrites(routes.flatMap(([method, path, base, fields, as]) =>
      fields.map((f) => ({ name: `${method} ${path} +${f}`, as, method, path, body: { ...base, [f]: smuggled[f] }, want: INVALID })),
    ));
  });

  it('a prototype-polluting body is refused before any route sees it', async () => {
    const T = w.actors.tenantAdmin.token;
    await expectRefusedWithoutWrites([
      { name: '__proto__', as: T, method: 'POST', path: '/v1/roles', body: `{"name":"p","scope":"TENANT","acl":{},"__proto__":{"system":true}}`, want: INVALID },
      { name: 'constructor.prototype', as: T, method: 'POST', path: '/v1/roles', body: `{"name":"p","scope":"TENANT","acl":{},"constructor":{"prototype":{"system":true}}}`, want: INVALID },
      { name: 'nested __proto__ in an ACL', as: T, method: 'POST', path: '/v1/roles', body: `{"name":"p","scope":"TENANT","acl":{"__proto__":{"orders":"RW"}}}`, want: INVALID },
    ]);
    expect(({} as Record<string, unknown>)['system']).toBeUndefined();
  });
});
