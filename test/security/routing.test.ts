// Header spoofing and routing on two gateway instances: no client-supplied
// `x-auth-*` header reaches an upstream in any spelling or through any
// hop-by-hop trick, a merchant named twice is never forwarded, and no path
// spelling (encodings, dot segments, double slashes, overlong UTF-8, prefix
// look-alikes) reaches an upstream under a route the caller has no right to.
// Extends test/gateway/decisions.test.ts ("requests that never reach a
// decision"), whose cases are not repeated here.
//
// OWASP ASVS 4.0.3 V4.1.2 (identity headers cannot be forged), V12.3.1 /
// V5.1.x (path canonicalization), V13.1.3; ASVS 5.0 V8.2.4, V1.3.x;
// OWASP API Security Top 10 2023 API5, API8 (security misconfiguration:
// parser differentials); CWE-22, CWE-444, CWE-290.
import { beforeAll, describe, expect, it } from 'vitest';
import { useGatewayPair } from '../support/gateway-pair.ts';
import { rawExchange, rawRequestText } from '../support/raw-http.ts';

const identityHeaders = ['x-auth-context-id', 'x-auth-context-type', 'x-auth-decision-id', 'x-auth-merchant-id', 'x-auth-merchant-scope', 'x-auth-tenant-id', 'x-auth-user-id'];

const pair = useGatewayPair();
/** orders: RW, nothing else: /settings, /payments, /refunds, /analytics are out of reach. */
let user: { id: string; token: string };
let merchantUser: { id: string; token: string };

beforeAll(async () => {
  user = await pair.world.user({ acl: { orders: 'RW' }, merchantsAccess: [pair.world.m.direct] });
  merchantUser = await pair.world.user({ type: 'MERCHANT', merchantId: pair.world.m.direct, acl: { orders: 'RW' } });
});

const marker = () => `m${Math.random().toString(36).slice(2)}`;

describe('client x-auth-* headers never reach an upstream', () => {
  const forgeries: [string, [string, string][]][] = [
    ['lower case', [['x-auth-user-id', 'forged'], ['x-auth-tenant-id', 'forged'], ['x-auth-merchant-id', 'forged']]],
    ['upper case', [['X-AUTH-USER-ID', 'forged'], ['X-AUTH-CONTEXT-TYPE', 'TENANT']]],
    ['mixed case, every identity header', identityHeaders.map((h) => [h.replace(/(^|-)(\w)/g, (m) => m.toUpperCase()), 'forged'] as [string, string])],
    ['the header twice', [['x-auth-user-id', 'forged-1'], ['x-auth-user-id', 'forged-2']]],
    ['a scope wider than the caller\'s', [['x-auth-merchant-scope', '*'], ['X-Auth-Merchant-Scope', 'reseller:any']]],
    ['headers the gateway does not set', [['x-auth-role', 'Tenant Admin'], ['x-auth-approved-by', 'someone'], ['x-auth-', 'empty']]],
    ['a merchant context claimed by a tenant user', [['x-auth-context-type', 'MERCHANT'], ['x-auth-context-id', 'elsewhere']]],
    // RFC 9110 §7.6.1: a proxy drops the headers `Connection` names. Naming the
    // identity headers must not make the gateway drop its own.
    ['hop-by-hop: Connection naming the identity headers', [['Connection', `keep-alive, ${identityHeaders.join(', ')}`]]],
    ['hop-by-hop: Connection naming x-merchant-id', [['Connection', 'x-merchant-id']]],
    ['an obs-fold continuation line', [['x-auth-user-id', 'forged\r\n continued']]],
  ];

  it.each(forgeries)('%s', async (_name, forged) => {
    for (const [i, gw] of pair.gateways.entries()) {
      const m = marker();
      const caller = i === 0 ? user : merchantUser;
      const headers: [string, string][] = [['Authorization', `Bearer ${caller.token}`], ['X-Merchant-Id', pair.world.m.direct], ...forged];
      const res = await rawExchange(gw.url, [rawRequestText('GET', `/orders/${m}`, headers)], { untilResponse: true });
      // obs-fold is refused outright (400); everything else is served with the gateway's own headers.
      if (res.status === 400) continue;
      expect(res.status, res.text).toBe(200);
      const seen = pair.upstream.received.find((r) => r.url.includes(m))!;
      expect(seen, `gateway ${i + 1} forwarded nothing`).toBeDefined();
      const auth = Object.fromEntries(Object.entries(seen.headers).filter(([k]) => k.startsWith('x-auth-')));
      expect(Object.keys(auth).sort()).toEqual([
        'x-auth-context-id', 'x-auth-context-type', 'x-auth-decision-id', 'x-auth-gateway-scope', 'x-auth-merchant-id', 'x-auth-product-scope',
        'x-auth-tenant-id', 'x-auth-user-id',
      ]);
      expect(auth).toMatchObject({
        'x-auth-user-id': caller.id,
        'x-auth-tenant-id': pair.world.tenantId,
        'x-auth-context-type': i === 0 ? 'TENANT' : 'MERCHANT',
        'x-auth-merchant-id': pair.world.m.direct,
      });
      expect(seen.headers['authorization']).toBeUndefined();
    }
  });

  it('a merchant named twice is never forwarded (the upstream might read the other one)', async () => {
    const before = pair.upstream.received.length;
    for (const gw of pair.gateways) {
      for (const [a, b] of [[pair.world.m.direct, pair.world.m.other], [pair.world.m.other, pair.world.m.direct], [pair.world.m.direct, pair.world.m.direct]] as const) {
        const res = await rawExchange(gw.url, [rawRequestText('GET', `/orders/${marker()}`, [['Authorization', `Bearer ${user.token}`], ['X-Merchant-Id', a], ['X-Merchant-Id', b]])]);
        expect([400, 403]).toContain(res.status);
      }
      const q = await rawExchange(gw.url, [rawRequestText('GET', `/analytics/x?merchantId=${pair.world.m.other}&merchantId=${pair.world.m.direct}`, [['Authorization', `Bearer ${user.token}`]])]);
      expect([400, 403]).toContain(q.status);
    }
    expect(pair.upstream.received.length).toBe(before);
  });
});

describe('no path spelling reaches an upstream the route table does not name for the caller', () => {
  // [path as sent, expected status]. The caller holds orders: RW only.
  const paths: [string, number][] = [
    // Encoded separators and dot segments in other spellings than decisions.test.ts tries.
    ['/orders%2F..%2Fsettings', 400],
    ['/orders/%2e%2e%2fsettings', 400],
    ['/orders/..%2fsettings', 400],
    ['/orders/%2E%2E/settings', 400],
    ['/orders/%2e', 400],
    ['/orders/.', 400],
    ['/orders/..', 400],
    ['/orders/./7', 400],
    ['/./orders', 400],
    ['/orders/x/../../settings', 400],
    ['/orders/exports/..%2F..%2Fsettings', 400],
    ['/orders/%5c..%5csettings', 400],
    ['/orders/%00', 400],
    ['/orders%00', 400],
    ['/orders/..%00/settings', 400],
    // Overlong UTF-8 and %u encodings of "." and "/": not valid UTF-8, refused.
    ['/orders/%C0%AE%C0%AE/settings', 400],
    ['/orders/%c0%af..%c0%afsettings', 400],
    ['/orders/%u002e%u002e/settings', 400],
    // Double slashes collapse; the route is decided on what is left.
    ['//settings', 403],
    ['//settings//1', 403],
    ['///orders///1', 200],
    ['/orders//..//settings', 400],
    // Prefix look-alikes: whole segments only, case-sensitive.
    ['/ordersettings', 404],
    ['/orders-settings', 404],
    ['/orders.json', 404],
    ['/orders;/x', 404],
    ['/orders;jsessionid=1', 404],
    ['/orders%20', 404],
    ['/ORDERS', 404],
    ['/Orders/1', 404],
    ['/%6Frders/1', 404],
    ['/settings%2F..%2Forders', 400],
    // Dots and separators encoded twice: an upstream decoding again would climb out (CWE-174).
    ['/orders/%252e%252e/settings', 400],
    ['/orders/%252E%252E%252Fsettings', 400],
    ['/orders/x%255c..%255csettings', 400],
    // A literal percent sign is just a character.
    ['/orders/100%25off', 200],
  ];

  it.each(paths)('%s → %i, on both gateways', async (path, status) => {
    for (const gw of pair.gateways) {
      const m = marker();
      const before = pair.upstream.received.length;
      const sep = path.includes('?') ? '&' : '?';
      const res = await rawExchange(gw.url, [rawRequestText('GET', `${path}${sep}case=${m}`, [['Authorization', `Bearer ${user.token}`], ['X-Merchant-Id', pair.world.m.direct]])], { untilResponse: true });
      expect(res.status, res.text.split('\r\n\r\n')[1]).toBe(status);
      const arrived = pair.upstream.received.slice(before);
      if (status !== 200) {
        expect(arrived).toEqual([]);
        continue;
      }
      // What arrived lies under /orders however the upstream decodes and normalizes it.
      const seen = arrived.find((r) => r.url.includes(m))!;
      const once = decodeURIComponent(new URL(seen.url, 'http://upstream').pathname);
      const normalized = new URL(once, 'http://upstream').pathname;
      expect(normalized === '/orders' || normalized.startsWith('/orders/')).toBe(true);
    }
  });

  it('absolute-form, asterisk-form and authority-form targets never reach an upstream', async () => {
    const before = pair.upstream.received.length;
    for (const gw of pair.gateways) {
      for (const [method, target] of [['GET', `http://127.0.0.1/settings`], ['GET', 'https://evil.test/orders'], ['OPTIONS', '*'], ['CONNECT', 'evil.test:443'], ['GET', 'orders']]) {
        const res = await rawExchange(gw.url, [rawRequestText(method!, target!, [['Authorization', `Bearer ${user.token}`]])]);
        // 0: the server closed the connection without an answer (CONNECT has no handler).
        expect([0, 400, 404, 405]).toContain(res.status);
      }
    }
    expect(pair.upstream.received.length).toBe(before);
  });

  it('the upstream\'s hop-by-hop headers stay behind: a client asking to close gets its connection closed', async () => {
    for (const gw of pair.gateways) {
      const res = await rawExchange(gw.url, [rawRequestText('GET', `/orders/${marker()}`, [['Authorization', `Bearer ${user.token}`], ['X-Merchant-Id', pair.world.m.direct]])], { giveUpMs: 3000 });
      expect(res.status).toBe(200);
      expect(res.closedByServer).toBe(true);
      const head = res.text.split('\r\n\r\n')[0]!.toLowerCase();
      expect(head).not.toMatch(/\r\nkeep-alive:/);
      expect(head).not.toMatch(/\r\nconnection: keep-alive/);
    }
  });

  it('request smuggling: a body with both Content-Length and Transfer-Encoding is refused', async () => {
    const before = pair.upstream.received.length;
    for (const gw of pair.gateways) {
      const smuggled = 'GET /settings HTTP/1.1\r\nHost: x\r\n\r\n';
      const res = await rawExchange(gw.url, [
        `POST /orders/${marker()} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${user.token}\r\nX-Merchant-Id: ${pair.world.m.direct}\r\n` +
          `Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
      ]);
      expect(res.status).toBe(400);
    }
    expect(pair.upstream.received.slice(before).filter((r) => r.url.startsWith('/settings'))).toEqual([]);
  });
});
