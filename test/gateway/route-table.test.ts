// The route table is validated at boot with errors that name the route; the
// path rules and the matcher are pure functions, tested without services.
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { AMBIGUOUS, pathSegments, queryObject, requestFacts } from '../../gateway/pipeline/request-facts.ts';
import { canonicalPath, RouteMatcher } from '../../gateway/pipeline/request-target.ts';
import { loadRouteTable, parseRouteTable, routeModules } from '../../core/routes/route-table.ts';
import { primaryReason } from '../../gateway/pipeline/admit.ts';
import { bearerToken } from '../../gateway/tokens/token-verifier.ts';

const table = (routes: string) => `routes:\n${routes}`;

describe('route table', () => {
  it('loads the shipped tables', () => {
    for (const file of ['gateway/routes.demo.yaml', 'gateway/routes.compose.yaml', 'test/gateway/routes.yaml', 'test/gateway/routes.policy-input.yaml', 'test/support/routes.test.yaml']) {
      expect(loadRouteTable(file).length).toBeGreaterThan(0);
    }
    expect(routeModules(loadRouteTable('gateway/routes.demo.yaml'))).toEqual(['analytics', 'orders', 'payments', 'refunds', 'settings']);
  });

  it('maps methods to actions: GET/HEAD read, others write, unless the route says otherwise', () => {
    const [r] = parseRouteTable(table('  - { prefix: /a, upstream: "http://u:1", module: a }'));
    expect([...r!.readMethods]).toEqual(['GET', 'HEAD']);
    expect([...r!.writeMethods]).toEqual(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
    const [s] = parseRouteTable(table('  - { prefix: /a, upstream: "http://u:1", module: a, read: [GET, POST], write: [PUT] }'));
    expect([...s!.readMethods]).toEqual(['GET', 'POST']);
    expect([...s!.writeMethods]).toEqual(['PUT']);
  });

  it('names what is wrong', () => {
    const bad: [string, RegExp][] = [
      ['  - { prefix: orders, upstream: "http://u:1", module: orders }', /\/routes\/0\/prefix/],
      ['  - { prefix: /o, upstream: "http://u:1/path", module: o }', /\/routes\/0\/upstream/],
      ['  - { prefix: /o, upstream: "http://u:1", module: Orders }', /\/routes\/0\/module/],
      ['  - { prefix: /o, upstream: "http://u:1", module: o, extra: 1 }', /\/routes\/0/],
      ['  - { prefix: /o, upstream: "http://u:1", module: o, merchant: { from: path, name: merchantId } }', /segment index/],
      ['  - { prefix: /o, upstream: "http://u:1", module: o, merchant: { from: cookie, name: m } }', /\/routes\/0\/merchant/],
      ['  - { prefix: /o, upstream: "http://u:1", module: o, merchant: { from: header, name: X-Auth-Merchant-Id } }', /may not read the x-auth-merchant-id header/],
      ['  - { prefix: /o, upstream: "http://u:1", module: o, merchant: { from: header, name: authorization } }', /may not read/],
      ['  - { prefix: /o, upstream: "http://u:1", module: o, read: [GET], write: [GET] }', /both read and write/],
      ['  - { prefix: /o, upstream: "http://u:1", module: o, approval: { methods: [GET] } }', /approval GET is not a write method/],
      ['  - { prefix: /metrics, upstream: "http://u:1", module: o }', /shadows the gateway's own \/metrics/],
      ['  - { prefix: /o, upstream: "http://u:1", module: o }\n  - { prefix: /o, upstream: "http://u:2", module: p }', /listed twice/],
    ];
    for (const [routes, message] of bad) expect(() => parseRouteTable(table(routes), 'routes.yaml')).toThrow(message);
    expect(() => parseRouteTable('routes: [', 'routes.yaml')).toThrow(/not YAML or JSON/);
    expect(() => loadRouteTable('no/such/file.yaml')).toThrow(/cannot read/);
  });
});

describe('canonical paths', () => {
  it('passes canonical paths through unchanged', () => {
    for (const p of ['/', '/orders', '/orders/', '/orders/42', '/.well-known/x', '/a/b.c/..d/...', '/orders/a%20b']) {
      expect(canonicalPath(p)).toBe(p);
    }
  });

  it('collapses repeated slashes and keeps a trailing one', () => {
    expect(canonicalPath('//orders///42//')).toBe('/orders/42/');
    expect(canonicalPath('//')).toBe('/');
  });

  it('refuses dot segments in any spelling, encoded separators and non-origin forms', () => {
    for (const p of ['/orders/..', '/orders/../x', '/orders/./x', '/orders/%2e%2E/x', '/orders/%2e/x', '/orders/..;jsessionid=1/x',
      '/orders%2fx', '/orders%5Cx', '/orders\\x', '/orders/%00', '/orders/%e0%a4%a', 'orders', 'http://host/orders', '*']) {
      expect({ p, c: canonicalPath(p) }).toEqual({ p, c: null });
    }
  });
});

describe('route matching', () => {
  const routes = parseRouteTable(table(`  - { prefix: /orders, upstream: "http://u:1", module: orders }
  - { prefix: /orders/exports, upstream: "http://u:1", module: reports }
  - { prefix: /v1/pay, upstream: "http://u:1", module: payments }`));
  const m = new RouteMatcher(routes);

  it('matches whole segments, the longest prefix first', () => {
    expect(m.match('/orders')?.module).toBe('orders');
    expect(m.match('/orders/1')?.module).toBe('orders');
    expect(m.match('/orders/exports')?.module).toBe('reports');
    expect(m.match('/orders/exports/2026')?.module).toBe('reports');
    expect(m.match('/orders/exportsX')?.module).toBe('orders');
    expect(m.match('/v1/pay/x')?.module).toBe('payments');
    expect(m.match('/ordersX')).toBeNull();
    expect(m.match('/v1')).toBeNull();
    expect(m.match('/')).toBeNull();
  });
});

describe('small rules', () => {
  it('reads a bearer token, scheme case-insensitive', () => {
    expect(bearerToken('Bearer a.b.c')).toBe('a.b.c');
    expect(bearerToken('bearer a.b.c')).toBe('a.b.c');
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeNull();
    expect(bearerToken('Bearer ')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken(`Bearer ${'x'.repeat(5000)}`)).toBeNull();
  });

  it('reports the reason a caller can act on first', () => {
    expect(primaryReason(['GATEWAY_RESTRICTED', 'PRODUCT_RESTRICTED'])).toBe('PRODUCT_RESTRICTED');
    expect(primaryReason(['ROLE_DISABLED', 'SESSION_REVOKED', 'USER_DISABLED'])).toBe('SESSION_REVOKED');
    expect(primaryReason(['NEW_POLICY_REASON'])).toBe('NEW_POLICY_REASON');
    expect(primaryReason(['not a code'])).toBe('FORBIDDEN');
    expect(primaryReason([])).toBe('FORBIDDEN');
  });
});

describe('policyInput', () => {
  const route = (policyInput: string) => parseRouteTable(table(`  - { prefix: /o, upstream: "http://u:1", module: o, policyInput: ${policyInput} }`), 'routes.yaml')[0]!;

  it('is prepared once per route, and absent (no work) for a route without it', () => {
    expect(route('[path, "header:X-Channel", method, query, "header:x-tenant-hint"]').requestFacts).toEqual({
      method: true, path: true, query: true, headers: ['x-channel', 'x-tenant-hint'],
    });
    expect(route('[method]').requestFacts).toEqual({ method: true, path: false, query: false, headers: [] });
    expect(parseRouteTable(table('  - { prefix: /o, upstream: "http://u:1", module: o }'))[0]!.requestFacts).toBeNull();
  });

  it('refuses unknown items with their position, and headers that carry credentials', () => {
    const bad: [string, RegExp][] = [
      ['[method, paths]', /\/routes\/0\/policyInput\/1 "paths" is not a policy input: use method, path, query or header:<name>/],
      ['[Method]', /policyInput\/0 "Method" is not a policy input/],
      ['["header:"]', /policyInput\/0 "header:" does not name a header/],
      ['["header:x channel"]', /does not name a header/],
      ['["header:Authorization"]', /may not see the authorization header/],
      ['["header:cookie"]', /may not see the cookie header/],
      ['["header:proxy-authorization"]', /may not see/],
      ['["header:X-Auth-User-Id"]', /may not see the x-auth-user-id header/],
      ['["header:X-Forwarded-For"]', /x-forwarded-for header is stripped or replaced by the gateway/],
      ['["header:x-real-ip"]', /x-real-ip header is stripped or replaced/],
      ['["header:X_HTTP_Method_Override"]', /stripped or replaced/],
      ['[method, method]', /policyInput\/1 "method" is listed twice/],
      ['["header:X-A", "header:x-a"]', /policyInput\/1 "header:x-a" is listed twice/],
      ['[]', /\/routes\/0\/policyInput/],
    ];
    for (const [items, message] of bad) expect(() => route(items), items).toThrow(message);
  });
});

describe('request facts of policyInput', () => {
  const fake = (method: string, url: string, raw: [string, string][] = []) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of raw) headers[k.toLowerCase()] = headers[k.toLowerCase()] === undefined ? v : `${headers[k.toLowerCase()]}, ${v}`;
    return { method, url, headers, raw: { rawHeaders: raw.flat() } } as unknown as FastifyRequest;
  };
  const all = { method: true, path: true, query: true, headers: ['x-channel'] };

  it('reads method, path segments (decoded once), query (lists when repeated) and named headers', () => {
    const facts = requestFacts(all, fake('DELETE', '/orders/o%201/notes/?a=1&b=x+y&a=2&c&%5F_proto__=p&__proto__=q', [['X-Channel', 'web'], ['X-Other', 'no']]), '/orders/o%201/notes/');
    expect(facts).not.toBe(AMBIGUOUS);
    const { value, json } = facts as Exclude<typeof facts, typeof AMBIGUOUS>;
    const parsed = JSON.parse(`{${json}}`);
    expect(parsed).toMatchObject({ method: 'DELETE', path: ['orders', 'o 1', 'notes', ''], headers: { 'x-channel': 'web' } });
    expect(Object.keys(parsed.headers)).toEqual(['x-channel']);
    // A parameter named __proto__ is a parameter (null-prototype objects), never the object's prototype.
    expect(Object.keys(parsed.query)).toEqual(['a', 'b', 'c', '__proto__']);
    expect([parsed.query.a, parsed.query.b, parsed.query.c, parsed.query['__proto__']]).toEqual([['1', '2'], 'x y', '', ['p', 'q']]);
    expect(JSON.parse(`{${json}}`)).toEqual(JSON.parse(JSON.stringify(value)));
    // Only what the route asks for, always in the same order.
    const some = requestFacts({ method: false, path: true, query: false, headers: [] }, fake('GET', '/x?a=1'), '/x');
    expect(some).toEqual({ value: { path: ['x'] }, json: '"path":["x"]' });
    const absent = requestFacts({ method: true, path: false, query: true, headers: ['x-channel'] }, fake('GET', '/x'), '/x');
    expect(absent).toMatchObject({ json: '"method":"GET","query":{},"headers":{}' });
  });

  it('refuses what an upstream could read differently', () => {
    expect(pathSegments('/a/not%2565s')).toBe(AMBIGUOUS);
    expect(pathSegments('/a/notes;v=1/n')).toBe(AMBIGUOUS);
    expect(pathSegments('/a/notes%3Bv=1')).toEqual(['a', 'notes;v=1']);
    expect(pathSegments('/a/%EF%BD%8Eotes')).toBe(AMBIGUOUS); // fullwidth n: NFKC makes it "notes"
    expect(pathSegments('/a/caf%C3%A9')).toEqual(['a', 'café']);
    expect(queryObject('role=a&ROLE=b')).toBe(AMBIGUOUS);
    expect(queryObject('a.b=1&a_b=2')).toBe(AMBIGUOUS);
    expect(queryObject('a=1;b=2')).toBe(AMBIGUOUS);
    expect(queryObject('a=%E0%A4%A')).toBe(AMBIGUOUS);
    expect(queryObject('a=1&a=2&a=3')).toEqual({ a: ['1', '2', '3'] });
    expect(requestFacts(all, fake('GET', '/x', [['X-Channel', 'a'], ['x-channel', 'b']]), '/x')).toBe(AMBIGUOUS);
    expect(requestFacts(all, fake('GET', '/x', [['X_Channel', 'a']]), '/x')).toBe(AMBIGUOUS);
    expect(requestFacts(all, fake('GET', '/x', [['X-Channel', 'a'], ['X-Channels', 'b']]), '/x')).not.toBe(AMBIGUOUS);
  });
});
