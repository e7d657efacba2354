// The route table is validated at boot with errors that name the route; the
// path rules and the matcher are pure functions, tested without services.
import { describe, expect, it } from 'vitest';
import { canonicalPath, RouteMatcher } from '../../gateway/pipeline/request-target.ts';
import { loadRouteTable, parseRouteTable, routeModules } from '../../core/routes/route-table.ts';
import { primaryReason } from '../../gateway/pipeline/admit.ts';
import { bearerToken } from '../../gateway/tokens/token-verifier.ts';

const table = (routes: string) => `routes:\n${routes}`;

describe('route table', () => {
  it('loads the shipped tables', () => {
    for (const file of ['gateway/routes.demo.yaml', 'gateway/routes.compose.yaml', 'test/gateway/routes.yaml', 'test/support/routes.test.yaml']) {
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
