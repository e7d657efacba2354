// The world the security suites attack: two tenants, and in tenant A two
// resellers with merchants, so every actor has an own merchant, a sibling
// merchant (same reseller), a merchant of another reseller and one of another
// tenant. Each of those four targets holds users in every lifecycle state and
// merchant-owned roles. Actors of every role kind get real sessions. Rows are
// written straight to PostgreSQL (test/support/seed.ts; the administration
// tests create them over HTTP);
// what is attacked here is what the routes do with them.
import { randomUUID } from 'node:crypto';
import type { ControlPlaneDeps } from '../../../src/context/deps.ts';
import { createApproval } from '../../../src/approvals/store.ts';
import type { Acl, ContextType } from '../../../src/roles/role.entity.ts';
import type { UserStatus } from '../../../src/users/user.entity.ts';
import type { RunningControlPlane } from '../control-plane.ts';
import { activate, newTenant, tokenFor, uniqueId } from '../fixtures.ts';
import { seedMerchant, seedReseller, seedRole, seedUser, type SeedUser } from '../seed.ts';

/** Where an object sits relative to an actor whose home is the `own` merchant (or its reseller, or its tenant). */
export const targetKeys = ['own', 'sibling', 'otherReseller', 'otherTenant'] as const;
export type TargetKey = (typeof targetKeys)[number];

/** The role kinds the access-control matrix runs for (README "Attacks and access control"). */
export const kinds = [
  'tenantAdmin', // Tenant Admin system role, TENANT context
  'tenantReadOnly', // R on every built-in module, TENANT context
  'tenantLimited', // Tenant Admin role, merchant access limited to the own merchant
  'tenantAsReseller', // the Tenant Admin switched into the own reseller's context
  'resellerAdmin', // Reseller Admin system role of the own reseller
  'resellerRestricted', // Reseller Admin role, merchant access limited to the own merchant
  'merchantAdmin', // Merchant Admin system role of the own merchant
  'merchantReadOnly', // R on merchants, users, roles, audit; own merchant
  'tenantChecker', // CHECKER on orders (approves gateway writes), TENANT context
  'resellerChecker', // CHECKER on orders, the own reseller's context
  'roleDisabled', // a tenant user whose role is disabled
  'anonymous', // no token at all
] as const;
export type Kind = (typeof kinds)[number];

export interface Target {
  key: TargetKey;
  tenantId: string;
  resellerId: string;
  merchantId: string;
  /** A merchant-owned role, enabled, held by `user`. */
  heldRole: string;
  /** A merchant-owned role, disabled. */
  offRole: string;
  /** The tenant's Reseller Admin system role (to invite reseller users with). */
  resellerAdminRole: string;
  /** A PENDING gateway approval (orders) on the target merchant, made by `user`. */
  approval: string;
  /** Merchant users in each state, holding `heldRole`. */
  user: { id: string; email: string };
  disabledUser: { id: string; email: string };
  deletedUser: { id: string; email: string };
}

export interface Actor {
  kind: Kind;
  id: string | null;
  token: string | null;
}

export interface Request {
  method: string;
  path: string;
  token?: string | null;
  /** JSON-encoded unless a string (sent as is). */
  body?: unknown;
  headers?: Record<string, string>;
  requestId?: string;
}

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
  requestId: string;
}

/** One request over real HTTP, with an `x-request-id` the test chooses (the audit log records it). */
export async function send(baseUrl: string, req: Request): Promise<Answer> {
  const requestId = req.requestId ?? `sec-${randomUUID()}`;
  const headers: Record<string, string> = { 'x-request-id': requestId, ...req.headers };
  if (req.token) headers['authorization'] = `Bearer ${req.token}`;
  let body: string | null = null;
  if (req.body !== undefined) {
    body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(new URL(req.path, baseUrl), { method: req.method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed, headers: res.headers, requestId };
}

/** Runs `fn` over `items`, `size` at a time (two cores: a small batch keeps the services responsive). */
export async function inBatches<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

/**
 * SQL for the md5 of every row `from` selects (aliased `t`), in a stable
 * order: equal before and after a refused request means it wrote nothing
 * there. `from` is e.g. `users t where t.tenant_id = ?`.
 */
export const rowsDigest = (from: string): string => `(select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from ${from})`;

/**
 * A digest of every row the tenants own (and of their users' sessions,
 * tokens and links): equal before and after means nothing was written, not
 * even half of something.
 */
export async function fingerprint(cp: RunningControlPlane, tenantIds: string[]): Promise<Record<string, string>> {
  const users = 'select id from users where tenant_id in (?)';
  const [row] = await cp.deps.orm.em.getConnection().execute<Record<string, string>[]>(
    `select ${rowsDigest('tenants t where t.id in (?)')} as tenants,
            ${rowsDigest('resellers t where t.tenant_id in (?)')} as resellers,
            ${rowsDigest('merchants t where t.tenant_id in (?)')} as merchants,
            ${rowsDigest('roles t where t.tenant_id in (?)')} as roles,
            ${rowsDigest('users t where t.tenant_id in (?)')} as users,
            ${rowsDigest('sessions t where t.tenant_id in (?)')} as sessions,
            ${rowsDigest('refresh_tokens t where t.session_id in (select id from sessions where tenant_id in (?))')} as refresh_tokens,
            ${rowsDigest(`one_time_tokens t where t.user_id in (${users})`)} as one_time_tokens,
            ${rowsDigest('approvals t where t.tenant_id in (?)')} as approvals,
            ${rowsDigest('audit_events t where t.tenant_id in (?)')} as audit_events`,
    Array.from({ length: 10 }, () => tenantIds),
  );
  return row!;
}

export async function securityWorld(cp: RunningControlPlane) {
  const deps: ControlPlaneDeps = cp.deps;
  const a = await newTenant(deps);
  const b = await newTenant(deps);
  await activate(deps, a.admin.id);
  const tA = a.tenant.id;
  const tB = b.tenant.id;
  const em = deps.orm.em.fork();

  const r1 = uniqueId('r1');
  const r2 = uniqueId('r2');
  const rB = uniqueId('rB');
  for (const [id, tenantId] of [[r1, tA], [r2, tA], [rB, tB]] as const) seedReseller(em, { id, tenantId });
  const home: Record<TargetKey, { tenantId: string; resellerId: string; merchantId: string }> = {
    own: { tenantId: tA, resellerId: r1, merchantId: uniqueId('m-own') },
    sibling: { tenantId: tA, resellerId: r1, merchantId: uniqueId('m-sib') },
    otherReseller: { tenantId: tA, resellerId: r2, merchantId: uniqueId('m-oth') },
    otherTenant: { tenantId: tB, resellerId: rB, merchantId: uniqueId('m-ten') },
  };
  for (const h of Object.values(home)) seedMerchant(em, { id: h.merchantId, tenantId: h.tenantId, resellerId: h.resellerId });
  await em.flush();

  const role = (tenantId: string, scope: ContextType, acl: Acl, owner: { type: ContextType; id: string }, enabled = true) =>
    seedRole(em, { tenantId, scope, acl, owner, enabled }).id;
  const person = (spec: SeedUser & { type: ContextType }) => {
    const u = seedUser(em, { ...spec, email: `${uniqueId('u')}@security.test` });
    return { id: u.id, email: u.email };
  };

  /** A pending approval of a gateway write on the merchant. Its route is in no route table, so approving it calls nothing. */
  const pending = (f: typeof em, h: { tenantId: string; merchantId: string }, makerId: string) =>
    createApproval(
      f,
      { tenantId: h.tenantId, actorId: makerId, contextType: 'MERCHANT', contextId: h.merchantId, requestId: null },
      {
        tenantId: h.tenantId, kind: 'GATEWAY', module: 'orders', merchantId: h.merchantId, makerId,
        makerContextType: 'MERCHANT', makerContextId: h.merchantId,
        request: {
          method: 'POST', path: '/nowhere', query: '', contentType: 'application/json', headers: {}, body: '{}', bodyEncoding: 'utf8',
          bodyBytes: 2, route: '/nowhere', productId: '', gatewayRefId: '', merchantScope: '', decisionId: randomUUID(),
        },
      },
      new Date(),
      24,
    ).id;

  const targets = {} as Record<TargetKey, Target>;
  for (const key of targetKeys) {
    const h = home[key];
    const heldRole = role(h.tenantId, 'MERCHANT', { orders: 'R' }, { type: 'MERCHANT', id: h.merchantId });
    const offRole = role(h.tenantId, 'MERCHANT', { orders: 'R' }, { type: 'MERCHANT', id: h.merchantId }, false);
    const member = (status: UserStatus) =>
      person({ tenantId: h.tenantId, type: 'MERCHANT', roleId: heldRole, resellerId: h.resellerId, merchantId: h.merchantId, status });
    const user = member('ACTIVE');
    targets[key] = {
      key,
      ...h,
      heldRole,
      offRole,
      resellerAdminRole: (h.tenantId === tA ? a : b).roles.RESELLER.id,
      approval: '',
      user,
      disabledUser: member('DISABLED'),
      deletedUser: member('SOFT_DEL'),
    };
  }
  await em.flush();
  for (const key of targetKeys) targets[key].approval = pending(em, home[key], targets[key].user.id);

  const own = home.own;
  const readOnlyAcl: Acl = { tenants: 'R', resellers: 'R', merchants: 'R', users: 'R', roles: 'R', audit: 'R', approvals: 'R' };
  const ids = {
    tenantReadOnly: person({ tenantId: tA, type: 'TENANT', roleId: role(tA, 'TENANT', readOnlyAcl, { type: 'TENANT', id: tA }) }),
    tenantLimited: person({ tenantId: tA, type: 'TENANT', roleId: a.roles.TENANT.id, merchantsAccess: [own.merchantId] }),
    resellerAdmin: person({ tenantId: tA, type: 'RESELLER', roleId: a.roles.RESELLER.id, resellerId: r1 }),
    resellerRestricted: person({ tenantId: tA, type: 'RESELLER', roleId: a.roles.RESELLER.id, resellerId: r1, merchantsAccess: [own.merchantId] }),
    merchantAdmin: person({ tenantId: tA, type: 'MERCHANT', roleId: a.roles.MERCHANT.id, resellerId: r1, merchantId: own.merchantId }),
    merchantReadOnly: person({
      tenantId: tA, type: 'MERCHANT', resellerId: r1, merchantId: own.merchantId,
      roleId: role(tA, 'MERCHANT', { merchants: 'R', users: 'R', roles: 'R', audit: 'R', approvals: 'R' }, { type: 'TENANT', id: tA }),
    }),
    tenantChecker: person({ tenantId: tA, type: 'TENANT', roleId: role(tA, 'TENANT', { orders: 'CHECKER' }, { type: 'TENANT', id: tA }) }),
    resellerChecker: person({ tenantId: tA, type: 'RESELLER', resellerId: r1, roleId: role(tA, 'RESELLER', { orders: 'CHECKER' }, { type: 'RESELLER', id: r1 }) }),
    roleDisabled: person({ tenantId: tA, type: 'TENANT', roleId: role(tA, 'TENANT', { '*': 'RW', audit: 'R' }, { type: 'TENANT', id: tA }, false) }),
  };
  await em.flush();

  const actors = {} as Record<Kind, Actor>;
  actors.tenantAdmin = { kind: 'tenantAdmin', id: a.admin.id, token: await tokenFor(deps, a.admin.id) };
  actors.tenantAsReseller = { kind: 'tenantAsReseller', id: a.admin.id, token: await tokenFor(deps, a.admin.id, { type: 'RESELLER', id: r1 }) };
  for (const [kind, u] of Object.entries(ids) as [Kind, { id: string }][]) actors[kind] = { kind, id: u.id, token: await tokenFor(deps, u.id) };
  actors.anonymous = { kind: 'anonymous', id: null, token: null };

  /** A fresh ACTIVE merchant user of the target's merchant (for requests that delete their target). */
  async function victim(key: TargetKey): Promise<string> {
    const t = targets[key];
    const f = deps.orm.em.fork();
    const u = seedUser(f, {
      tenantId: t.tenantId, email: `${uniqueId('victim')}@security.test`, type: 'MERCHANT', roleId: t.heldRole, resellerId: t.resellerId, merchantId: t.merchantId,
    });
    await f.flush();
    return u.id;
  }

  /** A fresh pending approval on the target's merchant (for requests that decide their target). */
  async function approval(key: TargetKey): Promise<string> {
    const f = deps.orm.em.fork();
    const t = targets[key];
    const id = pending(f, t, t.user.id);
    await f.flush();
    return id;
  }

  return {
    tenantA: tA,
    tenantB: tB,
    resellers: { r1, r2, rB },
    systemRoles: { A: a.roles, B: b.roles },
    admin: { id: a.admin.id, email: a.admin.email },
    targets,
    actors,
    victim,
    approval,
  };
}

export type SecurityWorld = Awaited<ReturnType<typeof securityWorld>>;
