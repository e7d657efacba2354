// Request size and slow-client limits on both services: bodies above the
// limit answer 413 and reach nothing; oversized headers 431; a client that
// sends its headers or its body slowly, or nothing at all, is cut off near
// the configured timeout instead of holding a connection open. The services
// run with short limits here (HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS,
// GATEWAY_BODY_LIMIT_BYTES; README "Attacks and access control").
//
// OWASP ASVS 4.0.3 V13.1.x / V12.1.1 (request size limits), V1.14; ASVS 5.0
// V4.1, V4.2; OWASP API Security Top 10 2023 API4 (unrestricted resource
// consumption); CWE-400 (slowloris).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Role } from '../../src/roles/role.entity.ts';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane.ts';
import { startGateway, type RunningGateway } from '../support/gateway.ts';
import { startUpstream, type RunningUpstream } from '../support/upstream.ts';
import { gatewayWorld, type GatewayWorld } from '../support/worlds/gateway.ts';
import { rawExchange, rawRequestText } from '../support/raw-http.ts';
import { fingerprint, send } from '../support/worlds/security.ts';

const HEADERS_TIMEOUT = 600;
const REQUEST_TIMEOUT = 1200;
const GATEWAY_BODY_LIMIT = 64 * 1024;
const limits = { HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT), HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT) };
/** A cut-off may come one check interval (≤ a quarter of the headers timeout) late, plus scheduling. */
const SLACK = 1500;

let cp: RunningControlPlane;
let upstream: RunningUpstream;
let gw: RunningGateway;
let world: GatewayWorld;
let token: string;

beforeAll(async () => {
  cp = await startControlPlane(limits);
  upstream = await startUpstream();
  gw = await startGateway({
    upstreams: { 'http://127.0.0.1:4001': upstream.url },
    env: { CONTROL_PLANE_URL: cp.url, GATEWAY_BODY_LIMIT_BYTES: String(GATEWAY_BODY_LIMIT), ...limits },
  });
  world = await gatewayWorld(cp.deps);
  token = (await world.user({ acl: { orders: 'RW' } })).token;
});
afterAll(async () => {
  await gw?.close();
  await upstream?.close();
  await cp?.close();
});

const services = () => [
  { name: 'control plane', url: cp.url, path: '/v1/auth/login', auth: [] as [string, string][] },
  { name: 'gateway', url: gw.url, path: '/orders/slow-client', auth: [['Authorization', `Bearer ${token}`]] as [string, string][] },
];

describe('request size', () => {
  it('control plane: a JSON body above 256 KiB answers 413 PAYLOAD_TOO_LARGE and writes nothing', async () => {
    const before = await fingerprint(cp, [world.tenantId]);
    const admin = await world.user({ roleId: world.tenant.roles.TENANT.id });
    const huge = { name: 'big', scope: 'TENANT', acl: {}, description: 'x'.repeat(300 * 1024) };
    const res = await send(cp.url, { method: 'POST', path: '/v1/roles', token: admin.token, body: huge });
    expect({ status: res.status, code: res.body?.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    const login = await send(cp.url, { method: 'POST', path: '/v1/auth/login', body: { email: 'a@b.test', password: 'x'.repeat(300 * 1024) } });
    expect(login.status).toBe(413);
    const after = await fingerprint(cp, [world.tenantId]);
    // Only the admin's own session (opened above) is new.
    expect({ ...after, users: '', sessions: '', refresh_tokens: '' }).toEqual({ ...before, users: '', sessions: '', refresh_tokens: '' });
    expect(await cp.deps.orm.em.fork().count(Role, { tenantId: world.tenantId, name: 'big' })).toBe(0);
  });

  it('gateway: a declared length above the limit answers 413 before anything is forwarded', async () => {
    const before = upstream.received.length;
    const res = await send(gw.url, { method: 'POST', path: '/orders/big', token, body: 'x'.repeat(GATEWAY_BODY_LIMIT + 1) });
    expect({ status: res.status, code: res.body?.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(upstream.received.length).toBe(before);
  });

  it('gateway: a chunked body crossing the limit never reaches the upstream whole', async () => {
    const before = upstream.received.length;
    const chunk = 'y'.repeat(16 * 1024);
    const pieces = [
      rawRequestText('POST', '/orders/chunked', [['Authorization', `Bearer ${token}`], ['Content-Type', 'text/plain'], ['Transfer-Encoding', 'chunked']]),
      ...Array.from({ length: 6 }, () => `${chunk.length.toString(16)}\r\n${chunk}\r\n`),
      '0\r\n\r\n',
    ];
    const res = await rawExchange(gw.url, pieces, { giveUpMs: 5000 });
    expect(res.status).toBe(413);
    const arrived = upstream.received.slice(before).filter((r) => r.url.startsWith('/orders/chunked'));
    expect(arrived.every((r) => (r.body ?? '').length <= GATEWAY_BODY_LIMIT)).toBe(true);
  });

  it('gateway: a body within the limit streams through whole', async () => {
    const body = 'z'.repeat(GATEWAY_BODY_LIMIT - 10);
    const res = await send(gw.url, { method: 'POST', path: '/orders/fits', token, body, headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(200);
    expect(upstream.last('/orders/fits')!.body).toBe(body);
  });

  it.each(['control plane', 'gateway'])('%s: headers above 16 KiB answer 431', async (name) => {
    const s = services().find((x) => x.name === name)!;
    const res = await rawExchange(s.url, [rawRequestText('GET', name === 'gateway' ? '/orders' : '/v1/me', [...s.auth, ['X-Padding', 'p'.repeat(20 * 1024)]])]);
    expect(res.status).toBe(431);
  });
});

describe('slow clients are cut off', () => {
  it.each(['control plane', 'gateway'])('%s: headers trickled one line at a time (slowloris)', async (name) => {
    const s = services().find((x) => x.name === name)!;
    const lines = [`GET ${name === 'gateway' ? '/orders' : '/v1/me'} HTTP/1.1\r\nHost: 127.0.0.1\r\n`, ...Array.from({ length: 40 }, (_, i) => `X-Slow-${i}: ${i}\r\n`)];
    const res = await rawExchange(s.url, lines, { gapMs: 150, giveUpMs: 8000 });
    expect(res.closedByServer).toBe(true);
    expect(res.closedAfter).toBeLessThan(HEADERS_TIMEOUT + SLACK);
    expect(res.written).toBeLessThan(lines.length);
    if (res.status !== 0) expect(res.status).toBe(408);
  });

  it.each(['control plane', 'gateway'])('%s: a connection that sends nothing', async (name) => {
    const s = services().find((x) => x.name === name)!;
    const res = await rawExchange(s.url, [], { giveUpMs: 8000 });
    expect(res.closedByServer).toBe(true);
    expect(res.closedAfter).toBeLessThan(HEADERS_TIMEOUT + SLACK);
  });

  it.each(['control plane', 'gateway'])('%s: a body trickled a byte at a time', async (name) => {
    const s = services().find((x) => x.name === name)!;
    const before = upstream.received.length;
    const body = JSON.stringify({ email: 'slow@security.test', password: 'p'.repeat(100) });
    const head = rawRequestText('POST', s.path, [...s.auth, ['Content-Type', 'application/json'], ['Content-Length', String(body.length)]]);
    const pieces = [head, ...body.split('')];
    const res = await rawExchange(s.url, pieces, { gapMs: 100, giveUpMs: 8000 });
    expect(res.closedByServer).toBe(true);
    expect(res.closedAfter).toBeLessThan(REQUEST_TIMEOUT + SLACK);
    expect(res.written).toBeLessThan(pieces.length);
    if (res.status !== 0) expect([408, 400]).toContain(res.status);
    // The upstream never got the request whole.
    const arrived = upstream.received.slice(before).filter((r) => r.url.startsWith('/orders/slow-client'));
    expect(arrived.filter((r) => r.body === body)).toEqual([]);
  });

  it('both services still answer a normal client afterwards', async () => {
    expect((await send(cp.url, { method: 'GET', path: '/healthz' })).status).toBe(200);
    expect((await send(gw.url, { method: 'GET', path: '/orders/after', token })).status).toBe(200);
  });
});
