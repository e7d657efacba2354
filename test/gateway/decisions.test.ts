// The gateway end to end: a real control plane (for its JWKS and sessions), a
// real gateway, a real upstream echo server, PostgreSQL and Redis. Allow and
// every deny reason, identity headers, header stripping, locators, path rules,
// upstream failures, health, metrics and the decision log (token faults:
// test/security/tokens.test.ts).
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeSessions } from '../../src/auth/sessions.ts';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane.ts';
import { startGateway, type RunningGateway } from '../support/gateway.ts';
import { client } from '../support/http.ts';
import { startUpstream, type RunningUpstream } from '../support/upstream.ts';
import { closedPortUrl, rawRequest } from '../support/raw-http.ts';
import { gatewayWorld, type GatewayWorld } from '../support/worlds/gateway.ts';

let cp: RunningControlPlane;
let upstream: RunningUpstream;
let gw: RunningGateway;
let world: GatewayWorld;
const logLines: Record<string, any>[] = [];
const decisionEvents: Record<string, any>[] = [];

beforeAll(async () => {
  cp = await startControlPlane();
  upstream = await startUpstream();
  const logDestination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  gw = await startGateway({
    routes: 'test/gateway/routes.yaml',
    upstreams: { 'http://upstream.test:1': upstream.url, 'http://dead.test:1': await closedPortUrl() },
    env: { CONTROL_PLANE_URL: cp.url, GATEWAY_UPSTREAM_TIMEOUT_MS: '400', LOG_LEVEL: 'info' },
    deps: {
      logDestination,
      decisionLog: {
        destination: new Writable({
          write(chunk: Buffer, _enc, done) {
            for (const line of chunk.toString().split('\n').filter(Boolean)) decisionEvents.push(JSON.parse(line));
            done();
          },
        }),
        queue: { flushMs: 5 },
      },
    },
  });
  world = await gatewayWorld(cp.deps);
});

afterAll(async () => {
  await gw?.close();
  await upstream?.close();
  await cp?.close();
});

const as = (token: string) => client(gw.url, token);

describe('allowed requests', () => {
  it('forwards with identity headers and never a client-supplied x-auth-* or the bearer token', async () => {
    const u = await world.user({ acl: { orders: 'RW' } });
    const res = await as(u.token).get('/orders/42?expand=lines', {
      'x-merchant-id': world.m.direct,
      'x-auth-user-id': 'forged-user',
      'X-Auth-Tenant-Id': 'forged-tenant',
      'x-auth-merchant-scope': '*',
      'x-auth-anything': 'forged',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-upstream')).toBe('echo');
    const seen = upstream.last('/orders/42')!;
    expect(seen.url).toBe('/orders/42?expand=lines');
    expect(seen.headers).toMatchObject({
      'x-auth-user-id': u.id,
      'x-auth-tenant-id': world.tenantId,
      'x-auth-context-type': 'TENANT',
      'x-auth-context-id': world.tenantId,
      'x-auth-merchant-id': world.m.direct,
      'x-merchant-id': world.m.direct,
    });
    expect(seen.headers['x-auth-decision-id']).toMatch(/^[0-9a-f-]{36}$/);
    const authHeaders = Object.keys(seen.headers).filter((h) => h.startsWith('x-auth-')).sort();
    expect(authHeaders).toEqual([
      'x-auth-context-id',
      'x-auth-context-type',
      'x-auth-decision-id',
      'x-auth-gateway-scope',
      'x-auth-merchant-id',
      'x-auth-product-scope',
      'x-auth-tenant-id',
      'x-auth-user-id',
    ]);
    expect(seen.headers).not.toHaveProperty('authorization');
  });

  it('streams a write body through untouched', async () => {
    const u = await world.user({ acl: { orders: 'RW' } });
    const body = JSON.stringify({ amount: 1250, currency: 'EUR', note: 'ünïcödé' });
    const res = await as(u.token).post('/orders', body, { 'x-merchant-id': world.m.direct });
    expect(res.status).toBe(200);
    const seen = upstream.last('/orders')!;
    expect(seen.method).toBe('POST');
    expect(seen.body).toBe(body);
  });

  it('tells the upstream the merchant scope when the request names no merchant', async () => {
    const all = await world.user({ acl: { orders: 'R' } });
    expect((await as(all.token).get('/orders')).status).toBe(200);
    expect(upstream.last('/orders')!.headers['x-auth-merchant-scope']).toBe('*');
    expect(upstream.last('/orders')!.headers).not.toHaveProperty('x-auth-merchant-id');

    const listed = await world.user({ acl: { orders: 'R' }, merchantsAccess: [world.m.other, world.m.direct] });
    await as(listed.token).get('/orders');
    expect(upstream.last('/orders')!.headers['x-auth-merchant-scope']).toBe([world.m.direct, world.m.other].sort().join(','));

    const reseller = await world.user({ type: 'RESELLER', acl: { orders: 'R' } });
    expect((await as(reseller.token).get('/orders')).status).toBe(200);
    expect(upstream.last('/orders')!.headers).toMatchObject({
      'x-auth-context-type': 'RESELLER',
      'x-auth-context-id': world.r1,
      'x-auth-merchant-scope': `reseller:${world.r1}`,
    });
  });

  it('reads the merchant from the query or a path segment, as the route says', async () => {
    const u = await world.user({ acl: { orders: 'R', analytics: 'R' }, merchantsAccess: [world.m.direct] });
    expect((await as(u.token).get(`/analytics/daily?merchantId=${world.m.direct}`)).status).toBe(200);
    expect(upstream.last('/analytics')!.headers['x-auth-merchant-id']).toBe(world.m.direct);
    expect((await as(u.token).get(`/analytics/daily?merchantId=${world.m.other}`)).body.code).toBe('MERCHANT_ACCESS_DENIED');
    // Two values: the upstream might read the other one.
    const twice = await as(u.token).get(`/analytics/daily?merchantId=${world.m.direct}&merchantId=${world.m.other}`);
    expect(twice.status).toBe(400);

    expect((await as(u.token).get(`/stores/${world.m.direct}/items`)).status).toBe(200);
    expect(upstream.last('/stores')!.headers['x-auth-merchant-id']).toBe(world.m.direct);
    expect((await as(u.token).get(`/stores/${world.m.other}/items`)).body.code).toBe('MERCHANT_ACCESS_DENIED');
  });

  it('serves a merchant user in its own merchant context only', async () => {
    const u = await world.user({ type: 'MERCHANT', merchantId: world.m.direct, acl: { orders: 'R' } });
    expect((await as(u.token).get('/orders')).status).toBe(200);
    expect(upstream.last('/orders')!.headers).toMatchObject({
      'x-auth-context-type': 'MERCHANT',
      'x-auth-merchant-id': world.m.direct,
    });
    const other = await as(u.token).get('/orders', { 'x-merchant-id': world.m.other });
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('MERCHANT_ACCESS_DENIED');
  });

  it('matches the longest prefix on whole segments', async () => {
    const u = await world.user({ acl: { orders: 'RW' } });
    const exports = await as(u.token).get('/orders/exports/2026');
    expect(exports.status).toBe(403);
    expect(exports.body.code).toBe('INSUFFICIENT_PERMISSION');
    const reporter = await world.user({ acl: { reports: 'R' } });
    expect((await as(reporter.token).get('/orders/exports/2026')).status).toBe(200);
    expect((await as(u.token).get('/ordersX')).status).toBe(404);
  });
});

describe('denials carry the policy reason and never reach the upstream', () => {
  async function expectDenied(token: string, path: string, code: string, headers: Record<string, string> = {}, method = 'GET') {
    const before = upstream.received.length;
    const res = method === 'GET' ? await as(token).get(path, headers) : await as(token).post(path, '{}', headers);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden', code });
    expect(res.body.reasons).toContain(code);
    expect(res.body.decisionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(upstream.received.length).toBe(before);
  }

  it('INSUFFICIENT_PERMISSION: a write with R, a module the role lacks', async () => {
    const u = await world.user({ acl: { orders: 'R' } });
    await expectDenied(u.token, '/orders', 'INSUFFICIENT_PERMISSION', { 'x-merchant-id': world.m.direct }, 'POST');
    await expectDenied(u.token, '/settings', 'INSUFFICIENT_PERMISSION');
  });

  it('MERCHANT_ACCESS_DENIED: a merchant outside the access list, or one that does not exist', async () => {
    const u = await world.user({ acl: { orders: 'RW' }, merchantsAccess: [world.m.direct] });
    await expectDenied(u.token, '/orders', 'MERCHANT_ACCESS_DENIED', { 'x-merchant-id': world.m.other });
    await expectDenied(u.token, '/orders', 'MERCHANT_ACCESS_DENIED', { 'x-merchant-id': 'no-such-merchant' });
    await expectDenied(u.token, '/orders', 'MERCHANT_ACCESS_DENIED', { 'x-merchant-id': 'not a valid id!' });
    const reseller = await world.user({ type: 'RESELLER', acl: { orders: 'RW' } });
    await expectDenied(reseller.token, '/orders', 'MERCHANT_ACCESS_DENIED', { 'x-merchant-id': world.m.direct });
  });

  it('PRODUCT_RESTRICTED and GATEWAY_RESTRICTED', async () => {
    const u = await world.user({ acl: { orders: 'RW', payments: 'RW' }, productIds: ['p1'], gatewayRefIds: ['g1'] });
    const ok = await as(u.token).get('/orders', { 'x-merchant-id': world.m.direct, 'x-product-id': 'p1', 'x-gateway-ref-id': 'g1' });
    expect(ok.status).toBe(200);
    await expectDenied(u.token, '/orders', 'PRODUCT_RESTRICTED', { 'x-merchant-id': world.m.direct, 'x-product-id': 'p2' });
    await expectDenied(u.token, '/payments', 'GATEWAY_RESTRICTED', { 'x-merchant-id': world.m.direct, 'x-gateway-ref-id': 'g2' });
  });

  it('USER_DISABLED, ROLE_DISABLED and SESSION_REVOKED', async () => {
    const disabled = await world.user({ acl: { orders: 'RW' }, status: 'DISABLED' });
    await expectDenied(disabled.token, '/orders', 'USER_DISABLED');
    const softDeleted = await world.user({ acl: { orders: 'RW' }, status: 'SOFT_DEL' });
    await expectDenied(softDeleted.token, '/orders', 'USER_DISABLED');

    const offRole = await world.role({ orders: 'RW' }, 'TENANT', false);
    const u = await world.user({ roleId: offRole.id });
    await expectDenied(u.token, '/orders', 'ROLE_DISABLED');

    const revoked = await world.user({ acl: { orders: 'RW' } });
    await revokeSessions(cp.deps.orm.em.fork(), { userId: revoked.id }, 'test', new Date());
    await expectDenied(revoked.token, '/orders', 'SESSION_REVOKED');
  });
});

describe('requests that never reach a decision', () => {
  it('refuses dot segments, encoded separators and absolute-form targets; collapses repeated slashes', async () => {
    const u = await world.user({ acl: { orders: 'RW' } });
    const auth = { authorization: `Bearer ${u.token}` };
    for (const path of ['/orders/../settings', '/orders/%2e%2e/settings', '/orders/.%2E/settings', '/orders/..;/settings',
      '/orders%2Fsettings', '/orders/a%5C..%5Csettings', '/orders/%zz', 'http://evil.test/orders', '/orders\\..\\settings']) {
      const res = await rawRequest(gw.url, 'GET', path, auth);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
    }
    const collapsed = await rawRequest(gw.url, 'GET', '//orders//7/', auth);
    expect(collapsed.status).toBe(200);
    expect(upstream.last('/orders/7')!.url).toBe('/orders/7/');
    expect((await rawRequest(gw.url, 'GET', '/', auth)).status).toBe(404);
  });

  it('answers 405 for a method the route maps to neither read nor write', async () => {
    const u = await world.user({ acl: { orders: 'RW' } });
    const res = await as(u.token).delete(`/stores/${world.m.direct}`);
    expect(res.status).toBe(405);
    expect(res.body.code).toBe('METHOD_NOT_ALLOWED');
  });

  // Token faults (alg none, HS256 with the public key, unknown kid, expiry, iss/aud/typ,
  // MFA tokens, tampering, a deleted user, …) are one table run against the control
  // plane and two gateways in test/security/tokens.test.ts.
});

describe('upstream failures', () => {
  it('maps a refused connection to 502 and a slow upstream to 504, in the error shape', async () => {
    const u = await world.user({ acl: { orders: 'RW' } });
    const dead = await as(u.token).get('/dead/1');
    expect(dead.status).toBe(502);
    expect(dead.body).toMatchObject({ statusCode: 502, code: 'UPSTREAM_UNAVAILABLE' });
    const slow = await as(u.token).get('/orders/slow?ms=1500');
    expect(slow.status).toBe(504);
    expect(slow.body).toMatchObject({ statusCode: 504, code: 'UPSTREAM_TIMEOUT' });
  });

  it('passes an upstream error status through without retrying it', async () => {
    const u = await world.user({ acl: { orders: 'RW' } });
    const before = upstream.received.filter((r) => r.url === '/orders/status/503').length;
    const res = await as(u.token).get('/orders/status/503');
    expect(res.status).toBe(503);
    expect(upstream.received.filter((r) => r.url === '/orders/status/503').length).toBe(before + 1);
  });
});

describe('operations', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await client(gw.url).get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await client(gw.url).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ready', policy: gw.deps.policy.revision, keys: 1, redis: true, postgres: true, changeChannel: true,
      bundle: { revision: gw.deps.policy.revision, activatedAt: expect.any(String), source: 'folder', lastSuccessfulDownload: null, lastError: null, persistError: null },
    });
  });

  it('exposes Prometheus metrics: requests, decisions by reason, latency, cache layers, upstream latency', async () => {
    // The same input twice: the second is answered from the decision memo.
    const u = await world.user({ acl: { orders: 'R' } });
    for (let i = 0; i < 2; i++) expect((await as(u.token).get('/orders')).status).toBe(200);
    const res = await fetch(new URL('/metrics', gw.url));
    const text = await res.text();
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toMatch(/gateway_requests_total\{module="orders",status="200"\} \d+/);
    expect(text).toMatch(/gateway_decisions_total\{result="allow",reason=""\} \d+/);
    expect(text).toMatch(/gateway_decisions_total\{result="deny",reason="SESSION_REVOKED"\} 1/);
    expect(text).toMatch(/gateway_decision_duration_seconds_bucket\{le="0.001"\} \d+/);
    expect(text).toMatch(/gateway_principal_cache_total\{layer="lru",kind="user",result="hit"\} [1-9]/);
    expect(text).toMatch(/gateway_principal_cache_total\{layer="postgres",kind="user",result="load"\} [1-9]/);
    expect(text).toMatch(/gateway_token_cache_total\{result="hit"\} [1-9]/);
    expect(text).toMatch(/gateway_decision_memo_total\{result="hit"\} [1-9]/);
    expect(text).toMatch(/gateway_decision_memo_total\{result="miss"\} [1-9]/);
    expect(text).toMatch(/gateway_upstream_duration_seconds_count\{module="orders"\} [1-9]/);
    expect(text).toMatch(/gateway_upstream_errors_total\{module="orders",status="504"\} 1/);
    expect(text).toContain(`gateway_policy_info{revision="${gw.deps.policy.revision}"} 1`);
    expect(text).toContain('gateway_change_channel_up 1');
  });

  it('writes one OPA decision-log event per decision (NDJSON) with id, revision, input, result and timing, and no token', async () => {
    const u = await world.user({ acl: { orders: 'R' } });
    const res = await as(u.token).post('/orders', '{}', { 'x-merchant-id': world.m.direct });
    const event = async (id: string) => {
      await expect.poll(() => decisionEvents.some((e) => e.decision_id === id)).toBe(true);
      return decisionEvents.find((e) => e.decision_id === id)!;
    };
    expect(await event(res.body.decisionId)).toMatchObject({
      path: 'authz/decision',
      bundles: { authz: { revision: gw.deps.policy.revision } },
      labels: { id: expect.any(String) },
      request: { method: 'POST', path: '/orders' },
      result: { allow: false, reasons: ['INSUFFICIENT_PERMISSION'] },
      input: {
        principal: { user_id: u.id, tenant_id: world.tenantId, status: 'ACTIVE', session_active: true },
        context: { type: 'TENANT', id: world.tenantId },
        request: { module: 'orders', action: 'write', merchant_id: world.m.direct, merchant: { id: world.m.direct } },
      },
    });
    const first = await event(res.body.decisionId);
    expect(first.metrics.timer_server_handler_ns).toBeGreaterThan(0);
    expect(Date.parse(first.timestamp)).toBeGreaterThan(Date.now() - 60_000);
    // The same input again is answered from the memo, and still logged as its own decision.
    const again = await as(u.token).post('/orders', '{}', { 'x-merchant-id': world.m.direct });
    expect(await event(again.body.decisionId)).toMatchObject({ result: { allow: false }, input: first.input });
    // An allow is an event too (DECISION_LOG_SAMPLE defaults to 1), with the path the upstream saw.
    const ok = await as(u.token).get('/orders/7?x=1', { 'x-merchant-id': world.m.direct });
    expect(ok.status).toBe(200);
    const allowId = upstream.last('/orders/7')!.headers['x-auth-decision-id'] as string;
    expect(await event(allowId)).toMatchObject({ request: { method: 'GET', path: '/orders/7' }, result: { allow: true } });
    expect(JSON.stringify(decisionEvents)).not.toContain(u.token);
    expect(JSON.stringify(logLines)).not.toContain(u.token);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/gateway_decision_log_events_total\{outcome="written"\} [1-9]/);
    expect(metrics).toContain('gateway_decision_log_events_total{outcome="dropped"} 0');
  });
});
