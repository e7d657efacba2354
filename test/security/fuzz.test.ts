// Bad input on every control-plane route that takes a body, a query or a
// path id, generated from data: each route's valid request × a list of
// mutators (malformed JSON, wrong types, null, huge strings and arrays,
// unknown fields, NUL, unpaired surrogates, RTL overrides, combining marks,
// very long emails, wrong content types, deep nesting, oversize). Every answer
// is a 4xx with the code docs/http.md#errors documents for its status — never a 5xx —
// and a refused request leaves every row of the tenants exactly as it was and
// writes no audit event.
//
// OWASP ASVS 4.0.3 V5.1.1–V5.1.4 (input validation: types, lengths, allow-lists),
// V5.3.4/V5.3.5 (no injection into queries), V7.4.1 (errors say nothing
// internal), V13.2.1–V13.2.2 (JSON schema validation, content types);
// ASVS 5.0 V1.2, V1.3, V2.2.1, V4.1.1, V16.5.1; OWASP API Security Top 10 2023
// API3, API4, API8; CWE-20, CWE-158, CWE-176.
import { beforeAll, describe, expect, it } from 'vitest';
import { useControlPlane } from '../support/control-plane.ts';
import { activate, tokenFor, uniqueId } from '../support/fixtures.ts';
import { seedUser } from '../support/seed.ts';
import { fingerprint, securityWorld, send, type Answer, type SecurityWorld } from '../support/worlds/security.ts';
import { auditEventsOf } from '../support/audit.ts';

const cp = useControlPlane();
let w: SecurityWorld;
let admin: string;
/** A user with a known password, for POST /auth/password. */
let selfService: string;
const PASSWORD = 'violet-harbour-47-lanterns';

beforeAll(async () => {
  w = await securityWorld(cp);
  admin = w.actors.tenantAdmin.token!;
  const em = cp.deps.orm.em.fork();
  const u = seedUser(em, { tenantId: w.tenantA, email: `${uniqueId('self')}@security.test`, roleId: w.systemRoles.A.TENANT.id });
  await em.flush();
  await activate(cp.deps, u.id, PASSWORD);
  selfService = await tokenFor(cp.deps, u.id);
});

// ---- Routes and their valid requests -----------------------------------------

interface BodyRoute {
  method: string;
  /** Called per request: a route that consumes its target gets a fresh one. */
  path: () => string | Promise<string>;
  token: () => string | null;
  body: () => Record<string, unknown>;
  /** Login answers every unusable email with the same 401 as a wrong one (no account oracle): not a 400. */
  lenientEmail?: boolean;
  /** The body may be absent (JSON null included): refresh then takes the console's cookie, and without one answers 401. */
  optionalBody?: boolean;
}

const email = () => `${uniqueId('fz')}@security.test`;
const fakeJwt = 'eyJhbGciOiJFZERTQSJ9.eyJ0eXAiOiJtZmEifQ.c2ln';
const fakeSecret = 's'.repeat(43);

const bodyRoutes: BodyRoute[] = [
  { method: 'POST', path: () => '/v1/auth/login', token: () => null, body: () => ({ email: 'nobody@security.test', password: 'correct horse battery staple' }), lenientEmail: true },
  { method: 'POST', path: () => '/v1/auth/login/totp', token: () => null, body: () => ({ mfaToken: fakeJwt, code: '123456' }) },
  { method: 'POST', path: () => '/v1/auth/mfa/setup', token: () => null, body: () => ({ mfaToken: fakeJwt }) },
  { method: 'POST', path: () => '/v1/auth/mfa/verify', token: () => null, body: () => ({ mfaToken: fakeJwt, code: '123456' }) },
  { method: 'POST', path: () => '/v1/auth/refresh', token: () => null, body: () => ({ refreshToken: fakeSecret }), optionalBody: true },
  { method: 'POST', path: () => '/v1/auth/password', token: () => selfService, body: () => ({ currentPassword: PASSWORD, newPassword: 'short' }) },
  { method: 'POST', path: () => '/v1/auth/password/renew', token: () => null, body: () => ({ passwordChangeToken: fakeJwt, newPassword: 'violet-harbour-48-lanterns' }) },
  { method: 'POST', path: () => '/v1/auth/switch', token: () => admin, body: () => ({ type: 'MERCHANT', id: w.targets.own.merchantId }) },
  { method: 'POST', path: () => '/v1/invitations/accept', token: () => null, body: () => ({ token: fakeSecret, password: PASSWORD }) },
  { method: 'POST', path: () => '/v1/email-verifications/confirm', token: () => null, body: () => ({ token: fakeSecret }) },
  { method: 'PATCH', path: () => `/v1/users/${w.targets.own.user.id}/email`, token: () => admin, body: () => ({ email: email() }) },
  {
    method: 'POST', path: () => '/v1/users', token: () => admin,
    body: () => ({ email: email(), roleId: w.targets.own.heldRole, type: 'MERCHANT', merchantId: w.targets.own.merchantId, productIds: ['p1'], gatewayRefIds: ['g1'] }),
  },
  { method: 'PATCH', path: () => `/v1/users/${w.targets.own.user.id}/role`, token: () => admin, body: () => ({ roleId: w.targets.own.offRole }) },
  { method: 'PUT', path: () => `/v1/users/${w.targets.own.user.id}/merchant-access`, token: () => admin, body: () => ({ merchantsAccess: [] }) },
  { method: 'PUT', path: () => `/v1/users/${w.targets.own.user.id}/restrictions`, token: () => admin, body: () => ({ productIds: ['p1'], gatewayRefIds: ['g1'] }) },
  { method: 'POST', path: () => '/v1/roles', token: () => admin, body: () => ({ name: uniqueId('fz'), description: 'd', scope: 'TENANT', acl: { orders: 'R' }, requireMfa: false }) },
  { method: 'PATCH', path: () => `/v1/roles/${w.targets.own.heldRole}`, token: () => admin, body: () => ({ name: uniqueId('fz'), description: 'd', acl: { orders: 'R' }, requireMfa: false }) },
  {
    method: 'POST', path: () => '/v1/resellers', token: () => admin,
    body: () => {
      const id = uniqueId('fz');
      return { id, name: 'n', email: email(), type: 'ISO', security: { mfaRequired: false, passwordPolicy: { minLength: 12 } }, gateways: ['g1'] };
    },
  },
  {
    method: 'POST', path: () => '/v1/merchants', token: () => admin,
    body: () => {
      const id = uniqueId('fz');
      return {
        id, name: 'n', email: email(), country: 'NL', resellerId: w.resellers.r1, settings: { mfaRequired: false, industry: 'retail' },
        platforms: ['web'], products: ['p1'], initialRoles: [{ name: 'Cashier', acl: { orders: 'R' } }],
      };
    },
  },
  { method: 'POST', path: async () => `/v1/approvals/${await w.approval('own')}/reject`, token: () => w.actors.tenantChecker.token, body: () => ({ reason: 'no' }) },
  { method: 'PATCH', path: () => '/v1/tenants/current/approval-settings', token: () => admin, body: () => ({ hardDeleteUser: false, roleLevelRaise: false }) },
];

interface QueryRoute {
  path: string;
  token: () => string | null;
  query: () => Record<string, string>;
}

const queryRoutes: QueryRoute[] = [
  { path: '/v1/users', token: () => admin, query: () => ({ status: 'ACTIVE', roleId: w.targets.own.heldRole, type: 'MERCHANT', merchantId: w.targets.own.merchantId, q: 'u', limit: '10' }) },
  { path: '/v1/merchants', token: () => admin, query: () => ({ q: 'm', resellerId: w.resellers.r1, limit: '10' }) },
  { path: '/v1/resellers', token: () => admin, query: () => ({ q: 'r', limit: '10' }) },
  { path: '/v1/roles', token: () => admin, query: () => ({ scope: 'MERCHANT', enabled: 'true', q: 'r', limit: '10' }) },
  {
    path: '/v1/audit-events', token: () => admin,
    query: () => ({ actorId: w.actors.tenantAdmin.id!, targetId: 'x', action: 'user.invite', from: '2020-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z', limit: '10' }),
  },
  { path: '/v1/auth/contexts', token: () => admin, query: () => ({ q: 'm', limit: '10' }) },
  { path: '/v1/invitations/lookup', token: () => null, query: () => ({ token: fakeSecret }) },
  { path: '/v1/approvals', token: () => w.actors.tenantChecker.token, query: () => ({ status: 'PENDING', mine: 'false', module: 'orders', limit: '10' }) },
];

const idRoutes = ['/v1/users/:id', '/v1/merchants/:id', '/v1/merchants/:id/users', '/v1/resellers/:id', '/v1/resellers/:id/users', '/v1/roles/:id', '/v1/approvals/:id'];

// ---- Mutators ------------------------------------------------------------------

/** How the answer is judged: `schema` must be 400 VALIDATION_FAILED; `any4xx` any documented refusal or a success. */
type Verdict = 'schema' | 'any' | [number, string];

interface Mutation {
  name: string;
  body?: string;
  contentType?: string;
  verdict: Verdict;
}

const RTL = '\u202Egnp.exe';
const COMBINING = `e${'\u0301'.repeat(300)}`;

function wrongType(v: unknown): unknown {
  if (typeof v === 'string') return 12345;
  if (typeof v === 'number') return 'twelve';
  if (typeof v === 'boolean') return 'true';
  if (Array.isArray(v)) return 'not-a-list';
  return ['not', 'an', 'object'];
}

function huge(v: unknown): unknown {
  if (typeof v === 'string') return 'h'.repeat(100_000);
  if (Array.isArray(v)) return Array.from({ length: 5000 }, (_, i) => `item-${i}`);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, 'R']));
  return undefined;
}

/** Mutations of a route's valid body; `fresh()` gives a new one each time (unique ids and emails). */
function mutations(fresh: () => Record<string, unknown>, lenientEmail = false, optionalBody = false): Mutation[] {
  const json = (b: unknown) => JSON.stringify(b);
  const base = fresh();
  const out: Mutation[] = [
    { name: 'truncated JSON', body: json(base).slice(0, -3), verdict: 'schema' },
    { name: 'trailing comma', body: `${json(base).slice(0, -1)},}`, verdict: 'schema' },
    { name: 'empty body', body: '', verdict: 'schema' },
    { name: 'JSON null', body: 'null', verdict: optionalBody ? [401, 'UNAUTHENTICATED'] : 'schema' },
    { name: 'JSON array', body: json([base]), verdict: 'schema' },
    { name: 'a NUL byte outside strings', body: `${json(base)}\u0000`, verdict: 'schema' },
    { name: 'nested 50,000 deep', body: `${'['.repeat(50_000)}${']'.repeat(50_000)}`, verdict: 'schema' },
    { name: 'unknown field', body: json({ ...base, unexpected: true }), verdict: 'schema' },
    { name: '__proto__ field', body: `${json(base).slice(0, -1)},"__proto__":{"admin":true}}`, verdict: 'schema' },
    { name: 'text/plain', body: json(base), contentType: 'text/plain', verdict: 'schema' },
    { name: 'form encoded', body: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded', verdict: [415, 'UNSUPPORTED_MEDIA_TYPE'] },
    { name: 'over the body limit', body: json({ ...base, pad: 'p'.repeat(300 * 1024) }), verdict: [413, 'PAYLOAD_TOO_LARGE'] },
  ];
  for (const [k, v] of Object.entries(base)) {
    const set = (value: unknown) => json({ ...fresh(), [k]: value });
    out.push({ name: `${k}: wrong type`, body: set(wrongType(v)), verdict: 'schema' });
    out.push({ name: `${k}: null`, body: set(null), verdict: 'schema' });
    const big = huge(v);
    if (big !== undefined) out.push({ name: `${k}: huge`, body: set(big), verdict: 'schema' });
    if (typeof v === 'string') {
      out.push({ name: `${k}: NUL inside`, body: set(`${v}\u0000x`), verdict: 'schema' });
      out.push({ name: `${k}: unpaired surrogate`, body: set(`${v}\uD800`), verdict: 'schema' });
      out.push({ name: `${k}: RTL override`, body: set(`${v}${RTL}`), verdict: 'any' });
      out.push({ name: `${k}: combining marks`, body: set(`${v}${COMBINING}`), verdict: 'any' });
      if (k.toLowerCase().includes('email')) {
        const malformed: Verdict = lenientEmail ? 'any' : 'schema';
        out.push({ name: `${k}: 300-character email`, body: set(`${'a'.repeat(290)}@x.test`), verdict: malformed });
        out.push({ name: `${k}: 65-character local part`, body: set(`${'a'.repeat(65)}@security.test`), verdict: 'any' });
        out.push({ name: `${k}: Unicode email`, body: set(`ü${uniqueId('x')}@sécurité.test`), verdict: 'any' });
        out.push({ name: `${k}: email with a header injection`, body: set(`a@b.test\r\nBcc: victim@evil.test`), verdict: malformed });
      }
    } else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out.push({ name: `${k}: unknown nested field`, body: set({ ...v, unexpected: 1 }), verdict: 'schema' });
      out.push({ name: `${k}: NUL in a key`, body: set({ 'or\u0000ders': 'R' }), verdict: 'schema' });
    } else if (Array.isArray(v)) {
      out.push({ name: `${k}: NUL in an item`, body: set(['a\u0000b']), verdict: 'schema' });
      out.push({ name: `${k}: duplicate items`, body: set(['dup', 'dup']), verdict: 'schema' });
    }
  }
  return out;
}

function queryMutations(base: Record<string, string>): { name: string; query: string; verdict: Verdict }[] {
  const qs = (q: Record<string, string>) => new URLSearchParams(q).toString();
  const out = [
    { name: 'unknown parameter', query: qs({ ...base, unexpected: '1' }), verdict: 'schema' as Verdict },
    { name: 'garbage cursor', query: qs({ ...base, cursor: 'not-a-cursor' }), verdict: 'schema' as Verdict },
    { name: 'cursor of valid base64 but wrong shape', query: qs({ ...base, cursor: Buffer.from('{"a":1}').toString('base64url') }), verdict: 'schema' as Verdict },
    { name: 'limit 0', query: qs({ ...base, limit: '0' }), verdict: 'schema' as Verdict },
    { name: 'limit -1', query: qs({ ...base, limit: '-1' }), verdict: 'schema' as Verdict },
    { name: 'limit 1e9', query: qs({ ...base, limit: '1000000000' }), verdict: 'schema' as Verdict },
    { name: 'limit 1.5', query: qs({ ...base, limit: '1.5' }), verdict: 'schema' as Verdict },
  ];
  for (const k of Object.keys(base)) {
    out.push({ name: `${k}: repeated`, query: `${qs(base)}&${k}=a&${k}=b`, verdict: 'schema' });
    out.push({ name: `${k}: 10 KB`, query: qs({ ...base, [k]: 'q'.repeat(10_000) }), verdict: 'schema' });
    out.push({ name: `${k}: %00`, query: qs({ ...base, [k]: 'a\u0000b' }), verdict: 'schema' });
    out.push({ name: `${k}: invalid UTF-8`, query: qs({ ...base, [k]: 'INVALID' }).replace('INVALID', '%ff%fe'), verdict: 'any' });
    out.push({ name: `${k}: LIKE and SQL metacharacters`, query: qs({ ...base, [k]: "%_\\' or 1=1 --" }), verdict: 'any' });
  }
  return out;
}

const idMutations: [string, string][] = [
  ['%00', 'NUL'],
  ['a%00b', 'NUL inside'],
  ['x'.repeat(300), 'longer than any id'],
  ['%ff%fe', 'invalid UTF-8'],
  ['%C0%AE%C0%AE', 'overlong UTF-8 dots'],
  ["'%20or%201=1--", 'SQL'],
  ['%F0%9F%99%82', 'emoji'],
  ['%E2%80%AEcba', 'RTL override'],
  ['00000000-0000-0000-0000-000000000000', 'nil UUID'],
];

// ---- Judging -----------------------------------------------------------------

/** docs/http.md#errors (and the README's additions): the codes each refusal status may carry. */
const documented: Record<number, string[]> = {
  400: ['VALIDATION_FAILED'],
  401: ['UNAUTHENTICATED', 'INVALID_CREDENTIALS', 'TOTP_INVALID', 'TOTP_REPLAYED', 'REFRESH_REUSED'],
  403: ['FORBIDDEN', 'PRIVILEGE_ESCALATION', 'SELF_MODIFICATION', 'MERCHANT_OUT_OF_SCOPE', 'USER_DISABLED', 'CONTEXT_FORBIDDEN', 'SOD_VIOLATION', 'MERCHANT_ACCESS_DENIED'],
  404: ['NOT_FOUND'],
  409: ['CONFLICT', 'ROLE_HAS_ACTIVE_USERS', 'USER_NOT_ACTIVE', 'MERCHANT_ACCESS_UNCHANGED', 'APPROVAL_NOT_PENDING'],
  410: ['INVITATION_EXPIRED', 'APPROVAL_EXPIRED'],
  413: ['PAYLOAD_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
  422: ['PASSWORD_POLICY', 'SOD_VIOLATION'],
  423: ['ACCOUNT_LOCKED'],
  429: ['RATE_LIMITED'],
};

interface Tried {
  what: string;
  verdict: Verdict;
  got: Answer;
  wrote: boolean;
}

function problem(t: Tried): string | null {
  const { status, body } = t.got;
  const line = `${t.what}: ${status} ${body?.code ?? ''} ${typeof body?.message === 'string' ? body.message.slice(0, 80) : ''}`;
  if (status >= 500) return `5xx — ${line}`;
  if (status >= 400) {
    if (!documented[status]?.includes(body?.code)) return `undocumented code — ${line}`;
    if (t.wrote) return `refused but wrote — ${line}`;
  }
  if (t.verdict === 'schema' && !(status === 400 && body?.code === 'VALIDATION_FAILED')) return `not refused as invalid — ${line}`;
  if (Array.isArray(t.verdict) && (status !== t.verdict[0] || body?.code !== t.verdict[1])) return `want ${t.verdict.join(' ')} — ${line}`;
  return null;
}

async function attempt(what: string, verdict: Verdict, req: Parameters<typeof send>[1]): Promise<Tried> {
  const before = await fingerprint(cp, [w.tenantA, w.tenantB]);
  const got = await send(cp.url, req);
  // A refusal leaves every row as it was (a success may write; it is judged by its status only).
  const wrote = got.status >= 400 && (JSON.stringify(await fingerprint(cp, [w.tenantA, w.tenantB])) !== JSON.stringify(before));
  return { what, verdict, got, wrote };
}

describe('bad input on every route: a documented 4xx, never a 5xx, never a partial write', () => {
  const tried: Tried[] = [];

  it('bodies: every route with a body × every mutator', async () => {
    for (const r of bodyRoutes) {
      for (const m of mutations(r.body, r.lenientEmail, r.optionalBody)) {
        const headers = m.contentType ? { 'content-type': m.contentType } : undefined;
        const path = await r.path();
        tried.push(await attempt(`${r.method} ${path} — ${m.name}`, m.verdict, {
          method: r.method, path, token: r.token(), ...(m.body !== undefined && { body: m.body }), ...(headers && { headers }),
        }));
      }
    }
    expect(tried.map(problem).filter(Boolean)).toEqual([]);
  }, 300_000);

  it('queries: every list × every mutator', async () => {
    const before = tried.length;
    for (const r of queryRoutes) {
      for (const m of queryMutations(r.query())) {
        tried.push(await attempt(`GET ${r.path}?${m.name}`, m.verdict, { method: 'GET', path: `${r.path}?${m.query}`, token: r.token() }));
      }
    }
    expect(tried.slice(before).map(problem).filter(Boolean)).toEqual([]);
  }, 120_000);

  it('path ids: every route with an id × every mutator (404 or 400)', async () => {
    const before = tried.length;
    for (const route of idRoutes) {
      for (const [id, name] of idMutations) {
        const t = await attempt(`GET ${route} — ${name}`, 'any', { method: 'GET', path: route.replace(':id', id), token: route.includes('approvals') ? w.actors.tenantChecker.token : admin });
        tried.push(t);
        if (t.got.status < 500) expect([400, 404], t.what).toContain(t.got.status);
      }
    }
    expect(tried.slice(before).map(problem).filter(Boolean)).toEqual([]);
  }, 120_000);

  it('no refused request wrote an audit event', async () => {
    const refused = tried.filter((t) => t.got.status >= 400).map((t) => t.got.requestId);
    expect(refused.length).toBeGreaterThan(300);
    expect(await auditEventsOf(cp, refused)).toEqual([]);
    // The count the README reports.
    console.info(`fuzz: ${tried.length} requests, ${refused.length} refused, ${tried.filter((t) => t.got.status >= 500).length} 5xx`);
  });
});
