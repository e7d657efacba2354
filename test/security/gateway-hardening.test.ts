// Issue 17, findings 6, 7 and 13, on a real gateway in front of a recording
// upstream: what the upstream receives is what the gateway decided on.
//  6: a route that locates a product (gateway reference) requires one from a
//     restricted user, and every forwarded request says what the caller is
//     restricted to (x-auth-product-scope, x-auth-gateway-scope).
//  7: routing and identity-like headers (X-Original-URL, X-HTTP-Method-Override,
//     Forwarded, x_auth_user_id, …) never reach an upstream unless the route
//     forwards one by name; X-Forwarded-For/-Host/-Proto are the gateway's.
// 13: ambiguous locators (repeated, array-shaped, another spelling of the
//     name) and paths that decode (any depth) or NFKC-normalise to a dot
//     segment or separator are refused with 400 and never forwarded.
//
// OWASP ASVS 5.0 V8.2.2 (data-specific access), V4.1.x / V13.2 (proxy
// headers); CWE-174 (double decoding), CWE-180 (validate before canonicalise),
// CWE-436 (interpretation conflict), CWE-348 (less trusted source).
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRouteTable, RouteTableError } from '../../core/routes/route-table.ts';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane.ts';
import { startGateway, type RunningGateway } from '../support/gateway.ts';
import { client } from '../support/http.ts';
import { startUpstream, type RunningUpstream } from '../support/upstream.ts';
import { gatewayWorld, type GatewayWorld } from '../support/worlds/gateway.ts';
import { rawExchange, rawRequestText } from '../support/raw-http.ts';

let cp: RunningControlPlane;
let upstream: RunningUpstream;
let gw: RunningGateway;
let world: GatewayWorld;
let dir: string;
/** orders, payments and analytics RW, every merchant, restricted to product p1 and gateway g1. */
let restricted: { id: string; token: string };
/** The same ACL, unrestricted. */
let free: { id: string; token: string };

beforeAll(async () => {
  cp = await startControlPlane();
  upstream = await startUpstream();
  dir = await mkdtemp(join(tmpdir(), 'iam-hardening-'));
  const routes = join(dir, 'routes.yaml');
  await writeFile(routes, await readFile('test/security/routes.hardening.yaml', 'utf8'));
  gw = await startGateway({ routes, upstreams: { 'http://upstream.test:1': upstream.url }, env: { CONTROL_PLANE_URL: cp.url } });
  world = await gatewayWorld(cp.deps);
  const acl = { orders: 'RW', payments: 'RW', analytics: 'RW' } as const;
  restricted = await world.user({ acl, productIds: ['p1'], gatewayRefIds: ['g1'] });
  free = await world.user({ acl });
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
  await cp?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const as = (token: string) => client(gw.url, token);
const seen = (marker: string) => upstream.received.filter((r) => r.url.includes(marker));

describe('finding 6: product and gateway restrictions fail closed and go upstream', () => {
  it('denies a restricted user a request naming no product on a route that locates one', async () => {
    const m = randomUUID();
    const res = await as(restricted.token).get(`/orders/x?case=${m}`, { 'x-merchant-id': world.m.direct, 'x-gateway-ref-id': 'g1' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('PRODUCT_RESTRICTED');
    const gwRef = await as(restricted.token).get(`/payments/x?case=${m}&merchantId=${world.m.direct}`);
    expect(gwRef.status).toBe(403);
    expect(gwRef.body.code).toBe('GATEWAY_RESTRICTED');
    expect(seen(m)).toHaveLength(0);
  });

  it('forwards a restricted user\'s request naming an allowed product, with the scopes', async () => {
    const m = randomUUID();
    const res = await as(restricted.token).post(`/orders/x?case=${m}`, '{"productId":"p2"}', { 'x-merchant-id': world.m.direct, 'x-product-id': 'p1', 'x-gateway-ref-id': 'g1' });
    expect(res.status).toBe(200);
    // The body names another product: the gateway reads no bodies, the upstream filters by the scope.
    expect(seen(m)[0]!.headers).toMatchObject({ 'x-auth-product-scope': 'p1', 'x-auth-gateway-scope': 'g1' });
  });

  it('on a route that locates neither, forwards with the scopes the upstream must filter by', async () => {
    const m = randomUUID();
    expect((await as(restricted.token).get(`/analytics/x?case=${m}`)).status).toBe(200);
    expect(seen(m)[0]!.headers).toMatchObject({ 'x-auth-product-scope': 'p1', 'x-auth-gateway-scope': 'g1', 'x-auth-merchant-scope': '*' });
  });

  it('tells the upstream an unrestricted user is unrestricted, and leaves it so', async () => {
    const m = randomUUID();
    expect((await as(free.token).get(`/orders/x?case=${m}`, { 'x-merchant-id': world.m.direct })).status).toBe(200);
    expect(seen(m)[0]!.headers).toMatchObject({ 'x-auth-product-scope': '*', 'x-auth-gateway-scope': '*' });
    // A client cannot send its own scope either.
    const n = randomUUID();
    expect((await as(restricted.token).get(`/analytics/x?case=${n}`, { 'x-auth-product-scope': '*', 'x_auth_product_scope': '*' })).status).toBe(200);
    expect(seen(n)[0]!.headers['x-auth-product-scope']).toBe('p1');
    expect(seen(n)[0]!.headers['x_auth_product_scope']).toBeUndefined();
  });
});

describe('finding 7: routing and identity-like headers never reach an upstream', () => {
  const stripped: [string, string][] = [
    ['X-Original-URL', '/settings'],
    ['X-Rewrite-URL', '/settings'],
    ['X-Original-URI', '/settings'],
    ['X-HTTP-Method-Override', 'DELETE'],
    ['X-HTTP-Method', 'DELETE'],
    ['X-Method-Override', 'DELETE'],
    ['Forwarded', 'for=10.0.0.1;host=admin.internal;proto=https'],
    ['X-Forwarded-Prefix', '/admin'],
    ['X-Forwarded-Port', '8443'],
    ['X-Real-IP', '10.0.0.1'],
    ['x_auth_user_id', 'forged'],
    ['X_Auth_Tenant_Id', 'forged'],
    ['x-auth_context-type', 'TENANT'],
    ['x_forwarded_for', '10.0.0.1'],
    ['x_original_url', '/settings'],
    ['x_http_method_override', 'DELETE'],
  ];

  it('strips each of them from an allowed read', async () => {
    const m = randomUUID();
    const headers: [string, string][] = [['Authorization', `Bearer ${free.token}`], ['X-Merchant-Id', world.m.direct], ...stripped];
    const res = await rawExchange(gw.url, [rawRequestText('GET', `/orders/x?case=${m}`, headers)]);
    expect(res.status).toBe(200);
    const got = seen(m)[0]!;
    expect(got.method).toBe('GET');
    const names = Object.keys(got.headers);
    for (const [name] of stripped) {
      const folded = name.toLowerCase().replace(/[^a-z0-9]/g, '-');
      // Only the gateway's own x-auth-* and x-forwarded-for (below) remain in any spelling.
      const left = names.filter((n) => n.replace(/[^a-z0-9]/g, '-') === folded && n !== 'x-forwarded-for' && !(n.startsWith('x-auth-') && n === folded));
      expect(left, name).toEqual([]);
    }
    expect(got.headers['x-auth-user-id']).toBe(free.id);
    expect(got.headers['x-auth-tenant-id']).toBe(world.tenantId);
  });

  it('sets X-Forwarded-For, -Host and -Proto to what the gateway saw, replacing the client\'s', async () => {
    const m = randomUUID();
    const headers: [string, string][] = [
      ['Authorization', `Bearer ${free.token}`], ['X-Merchant-Id', world.m.direct],
      ['X-Forwarded-For', '203.0.113.9'], ['X-Forwarded-Host', 'admin.internal'], ['X-Forwarded-Proto', 'https'],
    ];
    expect((await rawExchange(gw.url, [rawRequestText('GET', `/orders/x?case=${m}`, headers)])).status).toBe(200);
    const got = seen(m)[0]!.headers;
    expect(got['x-forwarded-for']).toBe('127.0.0.1');
    expect(got['x-forwarded-host']).toBe('127.0.0.1'); // the Host the client sent the gateway
    expect(got['x-forwarded-proto']).toBe('http');
  });

  it('forwards a routing header only on a route that names it', async () => {
    const m = randomUUID();
    const override = [['X-HTTP-Method-Override', 'PATCH'], ['X-Original-URL', '/settings']] as const;
    expect((await as(free.token).get(`/legacy/x?case=${m}`, Object.fromEntries(override))).status).toBe(200);
    expect(seen(m)[0]!.headers['x-http-method-override']).toBe('PATCH');
    expect(seen(m)[0]!.headers['x-original-url']).toBeUndefined();
  });
});

describe('finding 7: a route may forward only a stripped routing header, never an identity one', () => {
  const table = (names: string) => `routes:\n  - { prefix: /x, upstream: 'http://u:1', module: x, forwardHeaders: [${names}] }\n`;
  it.each(['x-auth-user-id', 'x_auth_user_id', 'X-Forwarded-For', 'authorization', 'x-anything'])('refuses %s', (name) => {
    expect(() => parseRouteTable(table(name))).toThrow(RouteTableError);
  });
  it('accepts X-HTTP-Method-Override and Forwarded', () => {
    expect([...parseRouteTable(table('X-HTTP-Method-Override, Forwarded'))[0]!.forwardedRoutingHeaders].sort()).toEqual(['forwarded', 'x-http-method-override']);
  });
});

describe('finding 13: ambiguous locators and decodable paths are refused (400), never forwarded', () => {
  const cases: [string, string, Record<string, string>?][] = [
    ['array-shaped query key', `/analytics/x?merchantId[]=${'M2'}`],
    ['array-shaped query key beside the plain one', `/analytics/x?merchantId=${'M1'}&merchantId[]=${'M2'}`],
    ['indexed query key', `/analytics/x?merchantId=${'M1'}&merchantId[0]=${'M2'}`],
    ['case variant of the query key', `/analytics/x?merchantId=${'M1'}&merchantid=${'M2'}`],
    ['case variant alone', `/analytics/x?MERCHANTID=${'M2'}`],
    ['percent-encoded query key', `/analytics/x?merchantId=${'M1'}&merchant%49d=${'M2'}`],
    ['fullwidth query key', `/analytics/x?merchantId=${'M1'}&%EF%BD%8DerchantId=${'M2'}`],
    ['repeated query key', `/analytics/x?merchantId=${'M1'}&merchantId=${'M2'}`],
    ['semicolon-separated repeat', `/analytics/x?merchantId=${'M1'};merchantId=${'M2'}`],
    ['encoded value', `/analytics/x?merchantId=${'M1'}%2C${'M2'}`],
    ['header in another spelling', '/orders/x', { 'x-merchant-id': 'M1', 'x_merchant_id': 'M2' }],
    ['a list in the header', '/orders/x', { 'x-merchant-id': 'M1,M2' }],
    ['fullwidth dots', '/orders/%EF%BC%8E%EF%BC%8E/settings'],
    ['fullwidth solidus', '/orders/x%EF%BC%8F..%EF%BC%8Fsettings'],
    ['one dot leader', '/orders/%E2%80%A4%E2%80%A4/settings'],
    ['triple-encoded dots', '/orders/%25252e%25252e/settings'],
    ['triple-encoded slash', '/orders/x%25252f..%25252fsettings'],
    ['quadruple-encoded dots', '/orders/%2525252e%2525252e/settings'],
    ['path locator with encoded dots', '/stores/%252e%252e/items'],
  ];

  it.each(cases)('%s', async (_name, target, headers = {}) => {
    const m = randomUUID();
    const path = target.replaceAll('M1', world.m.direct).replaceAll('M2', world.m.other);
    const sep = path.includes('?') ? '&' : '?';
    const h: [string, string][] = [['Authorization', `Bearer ${free.token}`], ...Object.entries(headers).map(([k, v]) => [k, v.replaceAll('M1', world.m.direct).replaceAll('M2', world.m.other)] as [string, string])];
    const res = await rawExchange(gw.url, [rawRequestText('GET', `${path}${sep}case=${m}`, h)]);
    expect(res.status).toBe(400);
    expect(seen(m)).toHaveLength(0);
  });

  it('still forwards the plain spellings', async () => {
    const m = randomUUID();
    expect((await as(free.token).get(`/analytics/x?merchantId=${world.m.direct}&case=${m}`)).status).toBe(200);
    expect(seen(m)[0]!.headers['x-auth-merchant-id']).toBe(world.m.direct);
    const n = randomUUID();
    expect((await as(free.token).get(`/orders/caf%C3%A9/50%25?case=${n}`, { 'x-merchant-id': world.m.direct })).status).toBe(200);
  });
});
