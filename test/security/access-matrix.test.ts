// The control plane's access-control matrix, generated from data: every role
// kind × every administrative route of docs/http.md#routes × a target inside or
// outside the actor's scope (own merchant, sibling merchant, another
// reseller's, another tenant's). The expected answer of each cell comes from
// the tables below, not from the code under test. Refused requests must write
// nothing (no audit event carries their request id), and lists never show an
// object out of scope.
//
// OWASP ASVS 4.0.3 V4.1.1/V4.1.3 (least privilege, enforced server-side),
// V4.2.1 (IDOR: objects out of scope), V4.1.5 (fail securely); ASVS 5.0 V8.2.1–V8.2.3;
// OWASP API Security Top 10 2023 API1 (BOLA), API5 (broken function-level authorization).
import { beforeAll, describe, expect, it } from 'vitest';
import { useControlPlane } from '../support/control-plane.ts';
import { uniqueId } from '../support/fixtures.ts';
import { inBatches, kinds, securityWorld, send, targetKeys, type Answer, type Kind, type SecurityWorld, type Target, type TargetKey } from '../support/worlds/security.ts';
import { auditEventsOf } from '../support/audit.ts';

const cp = useControlPlane();
let w: SecurityWorld;

beforeAll(async () => {
  w = await securityWorld(cp);
});

// ---- Who may do what (docs/domain.md, README "Administration") -------------

const READERS: Kind[] = ['tenantAdmin', 'tenantReadOnly', 'tenantLimited', 'tenantAsReseller', 'resellerAdmin', 'resellerRestricted', 'merchantAdmin', 'merchantReadOnly'];
/** users: RW / roles: RW: the three system admin roles hold them everywhere. */
const WRITERS: Kind[] = ['tenantAdmin', 'tenantLimited', 'tenantAsReseller', 'resellerAdmin', 'resellerRestricted', 'merchantAdmin'];
/** user_hard_delete: RW: only the Tenant Admin system role holds it by default (docs/domain.md#roles), in any context. */
const HARD_DELETERS: Kind[] = ['tenantAdmin', 'tenantLimited', 'tenantAsReseller'];
/** Merchant access: tenants: RW in TENANT context, resellers: RW in RESELLER context, never in MERCHANT context. */
const ACCESS_WRITERS: Kind[] = ['tenantAdmin', 'tenantLimited', 'tenantAsReseller', 'resellerAdmin', 'resellerRestricted'];
/** Resellers are not visible in MERCHANT context at all. */
const RESELLER_READERS: Kind[] = ['tenantAdmin', 'tenantReadOnly', 'tenantLimited', 'tenantAsReseller', 'resellerAdmin', 'resellerRestricted'];
/** Merchants are created in TENANT and RESELLER context (the creation table). */
const MERCHANT_CREATORS: Kind[] = ['tenantAdmin', 'tenantLimited', 'tenantAsReseller', 'resellerAdmin', 'resellerRestricted'];
/** Resellers, tenant users and tenant roles: TENANT context only. */
const TENANT_WRITERS: Kind[] = ['tenantAdmin', 'tenantLimited'];
const EVERYONE: Kind[] = kinds.filter((k) => k !== 'anonymous');
/** tenants: R in TENANT context (the tenant's own settings). */
const TENANT_READERS: Kind[] = ['tenantAdmin', 'tenantReadOnly', 'tenantLimited'];
/** CHECKER on orders: they decide approvals on merchants their context covers. */
const CHECKERS: Kind[] = ['tenantChecker', 'resellerChecker'];

/**
 * Approve and reject (src/approvals/decide.ts): another tenant's approval is
 * not found; then the policy: a disabled role, no CHECKER (FORBIDDEN), a
 * merchant the context does not cover (MERCHANT_ACCESS_DENIED).
 */
function decisionExpect(kind: Kind, key: TargetKey): Expect {
  if (key === 'otherTenant') return [404, 'NOT_FOUND'];
  if (kind === 'roleDisabled') return [403, 'ROLE_DISABLED'];
  if (!CHECKERS.includes(kind)) return [403, 'FORBIDDEN'];
  return merchantScope[kind].includes(key) ? [200] : [403, 'MERCHANT_ACCESS_DENIED'];
}

/** Merchants (and their users and roles) each kind reaches in its context. */
const merchantScope: Record<Kind, TargetKey[]> = {
  tenantAdmin: ['own', 'sibling', 'otherReseller'],
  tenantReadOnly: ['own', 'sibling', 'otherReseller'],
  tenantChecker: ['own', 'sibling', 'otherReseller'],
  roleDisabled: ['own', 'sibling', 'otherReseller'],
  tenantLimited: ['own'],
  tenantAsReseller: ['own', 'sibling'],
  resellerAdmin: ['own', 'sibling'],
  resellerChecker: ['own', 'sibling'],
  resellerRestricted: ['own'],
  merchantAdmin: ['own'],
  merchantReadOnly: ['own'],
  anonymous: [],
};
/** Resellers each kind sees (`own` is the own merchant's reseller; `sibling` would be the same one). */
const resellerScope: Record<Kind, TargetKey[]> = {
  tenantAdmin: ['own', 'otherReseller'],
  tenantReadOnly: ['own', 'otherReseller'],
  tenantChecker: ['own', 'otherReseller'],
  roleDisabled: ['own', 'otherReseller'],
  tenantLimited: ['own', 'otherReseller'],
  tenantAsReseller: ['own'],
  resellerAdmin: ['own'],
  resellerChecker: ['own'],
  resellerRestricted: ['own'],
  merchantAdmin: [],
  merchantReadOnly: [],
  anonymous: [],
};
/** Contexts each kind's user may switch into (by the user, not the current context). */
const switchMerchants: Record<Kind, TargetKey[]> = { ...merchantScope, tenantAsReseller: ['own', 'sibling', 'otherReseller'] };
const switchResellers: Record<Kind, TargetKey[]> = {
  ...resellerScope, tenantAsReseller: ['own', 'otherReseller'], tenantLimited: ['own'],
};

// ---- The routes -------------------------------------------------------------

type Expect = [number, string?];
type Scope = 'merchant' | 'reseller' | 'switchMerchant' | 'switchReseller';

interface Row {
  route: string;
  /** Which scope decides whether the target is visible (untargeted rows have none). */
  scope?: Scope;
  targets?: readonly TargetKey[];
  allowed: readonly Kind[];
  /** Answer when allowed and in scope (a state conflict proves the request got past authorization). */
  ok: Expect;
  /** Overrides of `ok` for some kinds. */
  okFor?: Partial<Record<Kind, Expect>>;
  /** Answer for a target out of scope (default 404 NOT_FOUND). */
  hidden?: Expect;
  /** `scope`: the route looks the target up before it checks the permission. */
  order?: 'permission' | 'scope';
  /** false: the route authenticates but asks the policy nothing (a disabled role still answers). */
  authz?: boolean;
  /** Answer when not allowed (default 403 FORBIDDEN). */
  forbidden?: Expect;
  /** The whole expectation, when the route's refusal order is its own. */
  expect?: (kind: Kind, key: TargetKey) => Expect;
  /** Its cells run one at a time (they edit one shared record, optimistically locked). */
  serial?: boolean;
  build: (t: Target, kind: Kind) => Promise<{ method: string; path: string; body?: unknown }> | { method: string; path: string; body?: unknown };
}

const resellerTargets = ['own', 'otherReseller', 'otherTenant'] as const;

const rows: Row[] = [
  // Users, by a merchant user of the target merchant.
  { route: 'GET /users/:id', scope: 'merchant', allowed: READERS, ok: [200], build: (t) => ({ method: 'GET', path: `/v1/users/${t.user.id}` }) },
  {
    route: 'PATCH /users/:id/role', scope: 'merchant', allowed: WRITERS, ok: [409, 'CONFLICT'],
    build: (t) => ({ method: 'PATCH', path: `/v1/users/${t.user.id}/role`, body: { roleId: t.heldRole } }),
  },
  {
    route: 'PUT /users/:id/merchant-access', scope: 'merchant', allowed: ACCESS_WRITERS, ok: [409, 'MERCHANT_ACCESS_UNCHANGED'],
    build: (t) => ({ method: 'PUT', path: `/v1/users/${t.user.id}/merchant-access`, body: { merchantsAccess: [] } }),
  },
  {
    route: 'PUT /users/:id/restrictions', scope: 'merchant', allowed: WRITERS, ok: [409, 'CONFLICT'],
    build: (t) => ({ method: 'PUT', path: `/v1/users/${t.user.id}/restrictions`, body: { productIds: [], gatewayRefIds: [] } }),
  },
  {
    route: 'PATCH /users/:id/email', scope: 'merchant', allowed: WRITERS, ok: [202],
    build: (t) => ({ method: 'PATCH', path: `/v1/users/${t.user.id}/email`, body: { email: `${uniqueId('new')}@security.test` } }),
  },
  { route: 'POST /users/:id/enable', scope: 'merchant', allowed: WRITERS, ok: [409, 'CONFLICT'], build: (t) => ({ method: 'POST', path: `/v1/users/${t.user.id}/enable` }) },
  {
    route: 'POST /users/:id/disable', scope: 'merchant', allowed: WRITERS, ok: [409, 'USER_NOT_ACTIVE'],
    build: (t) => ({ method: 'POST', path: `/v1/users/${t.disabledUser.id}/disable` }),
  },
  {
    route: 'POST /users/:id/soft-delete', scope: 'merchant', allowed: WRITERS, ok: [409, 'CONFLICT'],
    build: (t) => ({ method: 'POST', path: `/v1/users/${t.deletedUser.id}/soft-delete` }),
  },
  { route: 'POST /users/:id/restore', scope: 'merchant', allowed: WRITERS, ok: [409, 'CONFLICT'], build: (t) => ({ method: 'POST', path: `/v1/users/${t.user.id}/restore` }) },
  { route: 'POST /users/:id/unlock', scope: 'merchant', allowed: WRITERS, ok: [200], build: (t) => ({ method: 'POST', path: `/v1/users/${t.user.id}/unlock` }) },
  { route: 'POST /users/:id/revoke-sessions', scope: 'merchant', allowed: WRITERS, ok: [200], build: (t) => ({ method: 'POST', path: `/v1/users/${t.user.id}/revoke-sessions` }) },
  { route: 'POST /users/:id/reset-mfa', scope: 'merchant', allowed: WRITERS, ok: [200], build: (t) => ({ method: 'POST', path: `/v1/users/${t.user.id}/reset-mfa` }) },
  {
    route: 'POST /users/:id/resend-invitation', scope: 'merchant', allowed: WRITERS, ok: [409, 'CONFLICT'],
    build: (t) => ({ method: 'POST', path: `/v1/users/${t.user.id}/resend-invitation` }),
  },
  {
    // A fresh victim per cell: an allowed hard delete really deletes.
    route: 'DELETE /users/:id', scope: 'merchant', allowed: HARD_DELETERS, ok: [204],
    build: async (t) => ({ method: 'DELETE', path: `/v1/users/${await w.victim(t.key)}` }),
  },
  // Merchant-owned roles of the target merchant.
  { route: 'GET /roles/:id', scope: 'merchant', allowed: READERS, ok: [200], build: (t) => ({ method: 'GET', path: `/v1/roles/${t.heldRole}` }) },
  {
    route: 'PATCH /roles/:id', scope: 'merchant', allowed: WRITERS, ok: [409, 'CONFLICT'],
    build: (t) => ({ method: 'PATCH', path: `/v1/roles/${t.heldRole}`, body: { name: 'renamed', version: 999 } }),
  },
  { route: 'DELETE /roles/:id', scope: 'merchant', allowed: WRITERS, ok: [409, 'ROLE_HAS_ACTIVE_USERS'], build: (t) => ({ method: 'DELETE', path: `/v1/roles/${t.heldRole}` }) },
  {
    // roles: R to find the source (else 403), then 404 out of scope, then the right to create its copy.
    route: 'POST /roles/:id/clone', scope: 'merchant', allowed: WRITERS, ok: [201],
    expect: (kind, key) => (!READERS.includes(kind) ? [403, 'FORBIDDEN'] : !merchantScope[kind].includes(key) ? [404, 'NOT_FOUND'] : WRITERS.includes(kind) ? [201] : [403, 'FORBIDDEN']),
    build: (t) => ({ method: 'POST', path: `/v1/roles/${t.heldRole}/clone` }),
  },
  { route: 'POST /roles/:id/enable', scope: 'merchant', allowed: WRITERS, ok: [409, 'CONFLICT'], build: (t) => ({ method: 'POST', path: `/v1/roles/${t.heldRole}/enable` }) },
  { route: 'POST /roles/:id/disable', scope: 'merchant', allowed: WRITERS, ok: [409, 'CONFLICT'], build: (t) => ({ method: 'POST', path: `/v1/roles/${t.offRole}/disable` }) },
  // The target merchant.
  { route: 'GET /merchants/:id', scope: 'merchant', allowed: READERS, ok: [200], build: (t) => ({ method: 'GET', path: `/v1/merchants/${t.merchantId}` }) },
  { route: 'GET /merchants/:id/users', scope: 'merchant', allowed: READERS, ok: [200], build: (t) => ({ method: 'GET', path: `/v1/merchants/${t.merchantId}/users` }) },
  {
    route: 'POST /users (MERCHANT user of the target)', scope: 'merchant', allowed: WRITERS, ok: [201], hidden: [403, 'MERCHANT_OUT_OF_SCOPE'],
    build: (t) => ({
      method: 'POST', path: '/v1/users',
      body: { email: `${uniqueId('inv')}@security.test`, type: 'MERCHANT', merchantId: t.merchantId, roleId: t.heldRole },
    }),
  },
  {
    route: 'POST /auth/switch (MERCHANT)', scope: 'switchMerchant', allowed: EVERYONE, authz: false, ok: [200], hidden: [403, 'CONTEXT_FORBIDDEN'],
    build: (t) => ({ method: 'POST', path: '/v1/auth/switch', body: { type: 'MERCHANT', id: t.merchantId } }),
  },
  // The target's reseller.
  {
    route: 'GET /resellers/:id', scope: 'reseller', targets: resellerTargets, allowed: RESELLER_READERS, ok: [200],
    build: (t) => ({ method: 'GET', path: `/v1/resellers/${t.resellerId}` }),
  },
  {
    route: 'GET /resellers/:id/users', scope: 'reseller', targets: resellerTargets, allowed: RESELLER_READERS, ok: [200],
    build: (t) => ({ method: 'GET', path: `/v1/resellers/${t.resellerId}/users` }),
  },
  {
    route: 'POST /merchants (under the target reseller)', scope: 'reseller', targets: resellerTargets, allowed: MERCHANT_CREATORS, ok: [201],
    build: (t) => {
      const id = uniqueId('m-new');
      return { method: 'POST', path: '/v1/merchants', body: { id, name: `Shop ${id}`, email: `${id}@shops.test`, country: 'DE', resellerId: t.resellerId } };
    },
  },
  {
    route: 'POST /users (RESELLER user of the target reseller)', scope: 'reseller', targets: resellerTargets, allowed: MERCHANT_CREATORS, ok: [201],
    // `[]` (every merchant of the reseller) is more than a listed actor holds.
    okFor: { tenantLimited: [403, 'MERCHANT_OUT_OF_SCOPE'], resellerRestricted: [403, 'MERCHANT_OUT_OF_SCOPE'] },
    build: (t) => ({
      method: 'POST', path: '/v1/users',
      body: { email: `${uniqueId('inv')}@security.test`, type: 'RESELLER', resellerId: t.resellerId, roleId: t.resellerAdminRole },
    }),
  },
  {
    route: 'POST /auth/switch (RESELLER)', scope: 'switchReseller', targets: resellerTargets, allowed: EVERYONE, authz: false, ok: [200],
    hidden: [403, 'CONTEXT_FORBIDDEN'],
    build: (t) => ({ method: 'POST', path: '/v1/auth/switch', body: { type: 'RESELLER', id: t.resellerId } }),
  },
  // Maker-checker: a pending gateway approval on the target merchant. Only a checker
  // (CHECKER on its module, a merchant its context covers) sees or decides it.
  {
    route: 'GET /approvals/:id', scope: 'merchant', allowed: CHECKERS, authz: false, ok: [200], forbidden: [404, 'NOT_FOUND'],
    build: (t) => ({ method: 'GET', path: `/v1/approvals/${t.approval}` }),
  },
  {
    route: 'POST /approvals/:id/reject', scope: 'merchant', allowed: CHECKERS, authz: false, ok: [200], expect: decisionExpect,
    build: async (t) => ({ method: 'POST', path: `/v1/approvals/${await w.approval(t.key)}/reject`, body: { reason: 'matrix' } }),
  },
  {
    route: 'POST /approvals/:id/approve', scope: 'merchant', allowed: CHECKERS, authz: false, ok: [200], expect: decisionExpect,
    build: async (t) => ({ method: 'POST', path: `/v1/approvals/${await w.approval(t.key)}/approve`, body: {} }),
  },
  { route: 'GET /approvals', allowed: EVERYONE, authz: false, ok: [200], build: () => ({ method: 'GET', path: '/v1/approvals' }) },
  {
    route: 'GET /tenants/current/approval-settings', allowed: TENANT_READERS, ok: [200],
    build: () => ({ method: 'GET', path: '/v1/tenants/current/approval-settings' }),
  },
  {
    route: 'PATCH /tenants/current/approval-settings', allowed: TENANT_WRITERS, ok: [200], serial: true,
    build: () => ({ method: 'PATCH', path: '/v1/tenants/current/approval-settings', body: { hardDeleteUser: false } }),
  },
  // The console's edits (docs/http.md). Each edits one shared record: one cell at a time.
  {
    route: 'PATCH /resellers/:id', scope: 'reseller', targets: resellerTargets, allowed: TENANT_WRITERS, ok: [200], serial: true,
    build: (t) => ({ method: 'PATCH', path: `/v1/resellers/${t.resellerId}`, body: { type: 'ISO' } }),
  },
  {
    route: 'PATCH /merchants/:id', scope: 'merchant', allowed: MERCHANT_CREATORS, ok: [200], serial: true,
    build: (t) => ({ method: 'PATCH', path: `/v1/merchants/${t.merchantId}`, body: { country: 'DE' } }),
  },
  { route: 'GET /tenants/current', allowed: TENANT_READERS, ok: [200], build: () => ({ method: 'GET', path: '/v1/tenants/current' }) },
  {
    route: 'PATCH /tenants/current', allowed: TENANT_WRITERS, ok: [200], serial: true,
    build: () => ({ method: 'PATCH', path: '/v1/tenants/current', body: { security: { lockoutMinutes: 15 } } }),
  },
  // No target: creation at the actor's own level, and the lists (their content is checked below).
  {
    route: 'POST /resellers', allowed: TENANT_WRITERS, ok: [201],
    build: () => {
      const id = uniqueId('r-new');
      return { method: 'POST', path: '/v1/resellers', body: { id, name: `Reseller ${id}`, email: `${id}@resellers.test`, type: 'ISO' } };
    },
  },
  {
    route: 'POST /roles (scope MERCHANT)', allowed: WRITERS, ok: [201],
    build: () => ({ method: 'POST', path: '/v1/roles', body: { name: uniqueId('role'), scope: 'MERCHANT', acl: { orders: 'R' } } }),
  },
  {
    route: 'POST /roles (scope TENANT)', allowed: TENANT_WRITERS, ok: [201],
    build: () => ({ method: 'POST', path: '/v1/roles', body: { name: uniqueId('role'), scope: 'TENANT', acl: { orders: 'R' } } }),
  },
  {
    route: 'POST /users (TENANT user)', allowed: TENANT_WRITERS, ok: [201], okFor: { tenantLimited: [403, 'MERCHANT_OUT_OF_SCOPE'] },
    build: () => ({ method: 'POST', path: '/v1/users', body: { email: `${uniqueId('inv')}@security.test`, type: 'TENANT', roleId: w.systemRoles.A.TENANT.id } }),
  },
  { route: 'GET /users', allowed: READERS, ok: [200], build: () => ({ method: 'GET', path: '/v1/users' }) },
  { route: 'GET /merchants', allowed: READERS, ok: [200], build: () => ({ method: 'GET', path: '/v1/merchants' }) },
  { route: 'GET /resellers', allowed: RESELLER_READERS, ok: [200], build: () => ({ method: 'GET', path: '/v1/resellers' }) },
  { route: 'GET /roles', allowed: READERS, ok: [200], build: () => ({ method: 'GET', path: '/v1/roles' }) },
  { route: 'GET /modules', allowed: READERS, ok: [200], build: () => ({ method: 'GET', path: '/v1/modules' }) },
  { route: 'GET /audit-events', allowed: READERS, ok: [200], build: () => ({ method: 'GET', path: '/v1/audit-events' }) },
  { route: 'GET /me', allowed: EVERYONE, authz: false, ok: [200], build: () => ({ method: 'GET', path: '/v1/me' }) },
  { route: 'GET /auth/contexts', allowed: EVERYONE, authz: false, ok: [200], build: () => ({ method: 'GET', path: '/v1/auth/contexts' }) },
];

function visible(kind: Kind, scope: Scope, key: TargetKey): boolean {
  const table = { merchant: merchantScope, reseller: resellerScope, switchMerchant: switchMerchants, switchReseller: switchResellers }[scope];
  return table[kind].includes(key);
}

/** The expected answer of one cell, from the tables above. */
function expected(row: Row, kind: Kind, key: TargetKey | null): Expect {
  if (kind === 'anonymous') return [401, 'UNAUTHENTICATED'];
  if (kind === 'roleDisabled' && row.authz !== false) return [403, 'ROLE_DISABLED'];
  const permitted = row.allowed.includes(kind);
  const seen = key === null || row.scope === undefined || visible(kind, row.scope, key);
  if (row.expect && key !== null) return row.expect(kind, key);
  const forbidden: Expect = row.forbidden ?? [403, 'FORBIDDEN'];
  const hidden: Expect = row.hidden ?? [404, 'NOT_FOUND'];
  if (row.order === 'scope') {
    if (!seen) return hidden;
    if (!permitted) return forbidden;
  } else {
    if (!permitted) return forbidden;
    if (!seen) return hidden;
  }
  return row.okFor?.[kind] ?? row.ok;
}

interface Cell {
  row: Row;
  kind: Kind;
  key: TargetKey | null;
}

const cells: Cell[] = rows.flatMap((row) =>
  kinds.flatMap((kind): Cell[] => (row.scope === undefined ? [{ row, kind, key: null }] : (row.targets ?? targetKeys).map((key) => ({ row, kind, key })))),
);

describe('every role kind × every administrative route × targets in and out of scope', () => {
  const answers: { cell: Cell; want: Expect; got: Answer }[] = [];

  beforeAll(async () => {
    const run = async (cell: Cell) => {
      const target = w.targets[cell.key ?? 'own'];
      const req = await cell.row.build(target, cell.kind);
      const got = await send(cp.url, { ...req, token: w.actors[cell.kind].token });
      return { cell, want: expected(cell.row, cell.kind, cell.key), got };
    };
    answers.push(...(await inBatches(cells.filter((c) => !c.row.serial), 8, run)));
    // Serial rows (edits of one shared record) run one cell at a time: minutes on a loaded machine.
    answers.push(...(await inBatches(cells.filter((c) => c.row.serial), 1, run)));
  }, 300_000);

  it(`answers every cell as the table says (${cells.length} cells)`, () => {
    const wrong = answers
      .filter(({ want, got }) => got.status !== want[0] || (want[1] !== undefined && got.body?.code !== want[1]))
      .map(({ cell, want, got }) => `${cell.row.route} as ${cell.kind} on ${cell.key ?? '-'}: want ${want.join(' ')}, got ${got.status} ${got.body?.code ?? ''} ${got.body?.message ?? ''}`);
    expect(wrong).toEqual([]);
  });

  it('covers every administrative route the control plane serves', () => {
    const spec = cp.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const served = Object.entries(spec.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/^\/v1/, '').replace(/\{(\w+)\}/g, ':$1')}`),
    );
    const inMatrix = new Set(rows.map((r) => r.route.split(' (')[0]));
    // Routes a role kind does not change: the caller's own session and password, and
    // the credential-in-the-body routes (tokens.test.ts, fuzz.test.ts and escalation.test.ts attack those).
    const elsewhere = new Set([
      'POST /auth/login', 'POST /auth/login/totp', 'POST /auth/mfa/setup', 'POST /auth/mfa/verify', 'POST /auth/refresh',
      'POST /auth/logout', 'POST /auth/password', 'POST /auth/password/renew', 'GET /invitations/lookup', 'POST /invitations/accept',
      'POST /email-verifications/confirm',
      // The caller's own account, behind its current password (self-service.test.ts).
      'POST /me/email', 'POST /me/revoke-sessions',
    ]);
    const missing = served.filter((r) => !inMatrix.has(r) && !elsewhere.has(r));
    expect(missing).toEqual([]);
  });

  it('a refused request writes nothing: no audit event carries its request id', async () => {
    const refused = answers.filter(({ got }) => got.status >= 400).map(({ got }) => got.requestId);
    expect(refused.length).toBeGreaterThan(500);
    expect(await auditEventsOf(cp, refused)).toEqual([]);
    // And a successful mutation writes exactly one.
    const created = answers.filter(({ got, cell }) => got.status === 201 && cell.row.route.startsWith('POST /roles'));
    const events = await auditEventsOf(cp, created.map(({ got }) => got.requestId));
    expect(events.length).toBe(created.length);
  });
});

// ---- Lists never leak ------------------------------------------------------

async function everyPage(kind: Kind, path: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await send(cp.url, { method: 'GET', path: `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token: w.actors[kind].token });
    expect(res.status, `${kind} ${path}: ${JSON.stringify(res.body)}`).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

const listReaders = READERS;

describe('lists never show an object out of scope (API1:2023, ASVS 4.0.3 V4.2.1)', () => {
  it.each(listReaders)('%s: users, merchants, roles and their searches', async (kind) => {
    const inside = merchantScope[kind];
    const outside = targetKeys.filter((k) => !inside.includes(k));
    const users = new Set((await everyPage(kind, '/v1/users')).map((u) => u.id));
    const merchants = new Set((await everyPage(kind, '/v1/merchants')).map((m) => m.id));
    const roles = new Set((await everyPage(kind, '/v1/roles')).map((r) => r.id));
    for (const key of inside) {
      const t = w.targets[key];
      expect(users, `${kind} misses ${key} users`).toContain(t.user.id);
      expect(merchants).toContain(t.merchantId);
      expect(roles).toContain(t.heldRole);
    }
    for (const key of outside) {
      const t = w.targets[key];
      for (const u of [t.user, t.disabledUser, t.deletedUser]) expect(users, `${kind} sees a ${key} user`).not.toContain(u.id);
      expect(merchants, `${kind} sees the ${key} merchant`).not.toContain(t.merchantId);
      expect(roles, `${kind} sees a ${key} role`).not.toContain(t.heldRole);
      expect(roles).not.toContain(t.offRole);
      // Searches and filters answer empty rather than tell.
      const token = w.actors[kind].token;
      const probes = [
        `/v1/users?q=${encodeURIComponent(t.user.email)}`,
        `/v1/users?merchantId=${t.merchantId}`,
        `/v1/users?roleId=${t.heldRole}`,
        `/v1/merchants?q=${t.merchantId}`,
        `/v1/merchants?resellerId=${t.resellerId}`,
        `/v1/audit-events?targetId=${t.user.id}`,
      ];
      for (const path of probes) {
        const res = await send(cp.url, { method: 'GET', path, token });
        expect(res.status, path).toBe(200);
        const leaked = (res.body.items as any[]).filter((i) => [t.user.id, t.merchantId].includes(i.id) || i.merchantId === t.merchantId || i.targetId === t.user.id);
        expect(leaked, `${kind} ${path}`).toEqual([]);
      }
    }
    // Nothing of the other tenant, whatever the filter.
    for (const id of users) expect(id).not.toBe(w.targets.otherTenant.user.id);
  });

  it.each(listReaders)('%s: a role\'s holders and a merchant\'s users stay within scope', async (kind) => {
    const token = w.actors[kind].token;
    for (const key of merchantScope[kind]) {
      const t = w.targets[key];
      const role = await send(cp.url, { method: 'GET', path: `/v1/roles/${t.heldRole}`, token });
      expect(role.status).toBe(200);
      const members = await everyPage(kind, `/v1/merchants/${t.merchantId}/users`);
      expect(members.every((u) => u.merchantId === t.merchantId)).toBe(true);
      // Holders: the target's users (and those the matrix invited there), nobody else.
      const holders = (role.body.users as { id: string }[]).map((u) => u.id);
      expect(holders).toEqual(expect.arrayContaining([t.user.id, t.disabledUser.id, t.deletedUser.id]));
      const memberIds = new Set(members.map((u) => u.id));
      expect(holders.filter((id) => !memberIds.has(id))).toEqual([]);
    }
  });

  it.each(RESELLER_READERS)('%s: resellers and their users', async (kind) => {
    const seen = new Set((await everyPage(kind, '/v1/resellers')).map((r) => r.id));
    const { r1, r2, rB } = w.resellers;
    const expectedIds = { own: r1, otherReseller: r2, otherTenant: rB };
    for (const key of resellerTargets) {
      if (resellerScope[kind].includes(key)) expect(seen).toContain(expectedIds[key]);
      else expect(seen, `${kind} sees ${key}`).not.toContain(expectedIds[key]);
    }
    const ownUsers = await everyPage(kind, `/v1/resellers/${r1}/users`);
    expect(ownUsers.every((u) => u.type === 'RESELLER' && u.resellerId === r1)).toBe(true);
  });

  it.each(listReaders)('%s: the audit log shows only the actor\'s tenant and context', async (kind) => {
    const events = await everyPage(kind, '/v1/audit-events');
    expect(events.every((e) => e.tenantId === w.tenantA)).toBe(true);
    const { r1 } = w.resellers;
    const ownMerchants = new Set([w.targets.own.merchantId, w.targets.sibling.merchantId]);
    for (const e of events) {
      if (kind === 'resellerAdmin' || kind === 'resellerRestricted' || kind === 'tenantAsReseller') {
        expect(e.contextType === 'RESELLER' ? e.contextId === r1 : e.contextType === 'MERCHANT' && ownMerchants.has(e.contextId), JSON.stringify(e)).toBe(true);
      }
      if (kind === 'merchantAdmin' || kind === 'merchantReadOnly') {
        expect(e).toMatchObject({ contextType: 'MERCHANT', contextId: w.targets.own.merchantId });
      }
    }
  });

  it.each(EVERYONE)('%s: /approvals lists only what the caller may decide', async (kind) => {
    const items = await everyPage(kind, '/v1/approvals?status=PENDING');
    const merchants = new Set(items.map((a) => a.merchantId));
    for (const key of targetKeys) {
      const decides = CHECKERS.includes(kind) && merchantScope[kind].includes(key);
      if (decides) expect(items.map((a) => a.id)).toContain(w.targets[key].approval);
      else expect(merchants, `${kind} sees approvals of ${key}`).not.toContain(w.targets[key].merchantId);
    }
  });

  it.each(EVERYONE)('%s: /auth/contexts lists only contexts the user may enter', async (kind) => {
    const items = await everyPage(kind, '/v1/auth/contexts');
    const merchants = items.filter((c) => c.type === 'MERCHANT').map((c) => c.id);
    const resellers = items.filter((c) => c.type === 'RESELLER').map((c) => c.id);
    const byKey = (k: TargetKey) => w.targets[k];
    for (const key of targetKeys) {
      if (switchMerchants[kind].includes(key)) expect(merchants).toContain(byKey(key).merchantId);
      else expect(merchants).not.toContain(byKey(key).merchantId);
    }
    for (const key of resellerTargets) {
      if (switchResellers[kind].includes(key)) expect(resellers).toContain(byKey(key).resellerId);
      else expect(resellers).not.toContain(byKey(key).resellerId);
    }
    expect(items.some((c) => c.type === 'TENANT' && c.id === w.tenantB)).toBe(false);
  });
});
