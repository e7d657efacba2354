// What the gateway's forwarder (gateway/proxy/forward.ts) owns since it
// writes the upstream's answer straight into the client's response: message
// framing and hop-by-hop fields in both directions, the request line the
// upstream sees, an upstream that dies mid-answer, a client that leaves
// mid-answer. A plain node:http upstream, so the test controls every byte.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane.ts';
import { startGateway, type RunningGateway } from '../support/gateway.ts';
import { client } from '../support/http.ts';
import { readMetric } from '../support/metrics.ts';
import { rawExchange, rawRequestText } from '../support/raw-http.ts';
import { gatewayWorld, type GatewayWorld } from '../support/worlds/gateway.ts';

let cp: RunningControlPlane;
let gw: RunningGateway;
let world: GatewayWorld;
let upstream: Server;
let upstreamHost: string;
let token: string;
const seen: { method: string; url: string; headers: IncomingHttpHeaders; body?: string }[] = [];
/** Resolves when the upstream's streaming answer (/orders/stream) is closed. */
let streamClosed: Promise<void> = Promise.resolve();

beforeAll(async () => {
  upstream = createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    const path = req.url!.split('?')[0];
    if (path === '/orders/hop') {
      res.writeHead(200, {
        'content-type': 'text/plain',
        'content-length': '2',
        connection: 'keep-alive, x-connection-scoped',
        'x-connection-scoped': 'about this connection only',
        'proxy-connection': 'keep-alive',
        'x-kept': 'yes',
      });
      res.end('ok');
    } else if (path === '/orders/cut') {
      // Promises 100 bytes, sends 10, dies.
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
      res.write('x'.repeat(10));
      setTimeout(() => res.socket?.destroy(), 20);
    } else if (path === '/orders/stream') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const tick = setInterval(() => res.write('tick\n'), 20);
      streamClosed = new Promise((resolve) => res.on('close', () => {
        clearInterval(tick);
        resolve();
      }));
    } else if (path === '/orders/empty') {
      res.writeHead(204);
      res.end();
    } else {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        seen.at(-1)!.body = body;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '2' });
        res.end(req.method === 'HEAD' ? undefined : '{}');
      });
    }
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamHost = `127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  cp = await startControlPlane();
  gw = await startGateway({
    routes: 'test/gateway/routes.yaml',
    upstreams: { 'http://upstream.test:1': `http://${upstreamHost}` },
    env: { CONTROL_PLANE_URL: cp.url, GATEWAY_UPSTREAM_TIMEOUT_MS: '2000' },
  });
  world = await gatewayWorld(cp.deps);
  token = (await world.user({ acl: { orders: 'RW' } })).token;
});

afterAll(async () => {
  await gw?.close();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
  await cp?.close();
});

const lastSeen = (prefix: string) => [...seen].reverse().find((r) => r.url.startsWith(prefix))!;

/** gateway_upstream_errors_total of the orders module (0 before the first). */
const upstreamErrors = async () => (await readMetric(gw.url, 'gateway_upstream_errors_total{module="orders",status="502"}')) ?? 0;

describe('forwarding', () => {
  it('sends the upstream the canonical path with the query as the client wrote it, its own Host, and no hop-by-hop field', async () => {
    const res = await rawExchange(gw.url, [rawRequestText('GET', '/orders//line?z=1&a=%7E&sp=a+b&a=2', [
      ['Authorization', `Bearer ${token}`],
      ['Connection', 'keep-alive, x-drop-me'],
      ['X-Drop-Me', 'about the client connection'],
      ['Keep-Alive', 'timeout=5'],
      ['Proxy-Connection', 'keep-alive'],
      ['TE', 'trailers'],
      ['Trailer', 'x-checksum'],
      ['X-Kept', 'yes'],
    ])], { untilResponse: true });
    expect(res.status, res.text).toBe(200);
    const got = lastSeen('/orders/line');
    expect(got.url).toBe('/orders/line?z=1&a=%7E&sp=a+b&a=2');
    expect(got.headers['host']).toBe(upstreamHost);
    expect(got.headers['x-forwarded-host']).toBe('127.0.0.1');
    expect(got.headers['x-kept']).toBe('yes');
    for (const name of ['x-drop-me', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'authorization']) expect(got.headers).not.toHaveProperty(name);
  });

  it('forwards a GET without the body a client sent with it, or its Content-Length, and the connection serves on', async () => {
    const get = rawRequestText('GET', '/orders/with-body', [['Authorization', `Bearer ${token}`], ['Content-Length', '5']], 'hello')
      .replace('Connection: close\r\n', '');
    const next = rawRequestText('GET', '/orders/next-on-same-connection', [['Authorization', `Bearer ${token}`]]);
    const res = await rawExchange(gw.url, [get, next], { gapMs: 100, giveUpMs: 5000 });
    expect(res.text.match(/HTTP\/1\.1 200 /g)?.length, res.text).toBe(2);
    const got = lastSeen('/orders/with-body');
    expect(got.method).toBe('GET');
    expect(got.headers).not.toHaveProperty('content-length');
    expect(lastSeen('/orders/next-on-same-connection')).toBeDefined();
  });

  it('forwards a write whose client sent Expect: 100-continue (curl does for larger bodies), body and all', async () => {
    const body = JSON.stringify({ amount: 1250, note: 'x'.repeat(2000) });
    const head = rawRequestText('POST', '/orders/continued', [
      ['Authorization', `Bearer ${token}`], ['Content-Type', 'application/json'], ['Content-Length', String(body.length)], ['Expect', '100-continue'],
    ]);
    // The head first, then the body once the gateway said 100 Continue (after a pause here).
    const res = await rawExchange(gw.url, [head, body], { gapMs: 200, giveUpMs: 5000 });
    expect(res.text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    const got = lastSeen('/orders/continued');
    expect(got.headers).not.toHaveProperty('expect');
    expect(got.body).toBe(body);
  });

  it("drops the upstream's hop-by-hop fields and those its Connection names, and keeps the rest", async () => {
    const res = await client(gw.url, token).get('/orders/hop');
    expect(res.status).toBe(200);
    expect(res.body).toBe('ok');
    expect(res.headers.get('x-kept')).toBe('yes');
    expect(res.headers.get('x-connection-scoped')).toBeNull();
    expect(res.headers.get('proxy-connection')).toBeNull();
  });

  it('answers HEAD and 204 without a body', async () => {
    const head = await fetch(`${gw.url}/orders/head`, { method: 'HEAD', headers: { authorization: `Bearer ${token}` } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('2');
    expect(await head.text()).toBe('');
    expect(lastSeen('/orders/head').method).toBe('HEAD');
    const empty = await client(gw.url, token).get('/orders/empty');
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });

  it('cuts the client connection when the upstream dies mid-answer, never ending a short body as if whole, and counts it', async () => {
    const errorsBefore = await upstreamErrors();
    const res = await rawExchange(gw.url, [rawRequestText('GET', '/orders/cut', [['Authorization', `Bearer ${token}`]])], { giveUpMs: 5000 });
    expect(res.status, res.text).toBe(200);
    expect(res.closedByServer).toBe(true);
    expect(res.text).toMatch(/\r\ncontent-length: 100\r\n/i);
    expect(res.text.slice(res.text.indexOf('\r\n\r\n') + 4)).toBe('x'.repeat(10));
    // And the gateway keeps serving.
    expect((await client(gw.url, token).get('/orders/after-cut')).status).toBe(200);
    expect(await upstreamErrors()).toBe(errorsBefore + 1);
  });

  it('ends the upstream request when the client leaves mid-answer, counting no upstream failure', async () => {
    const errorsBefore = await upstreamErrors();
    // A client of its own, destroyed after: an aborted fetch can leave its pool
    // a fresh connection that never sends a request, which would hold the
    // gateway's close until the server's headers timeout.
    const own = new Agent();
    try {
      const leave = new AbortController();
      const res = await undiciFetch(`${gw.url}/orders/stream`, { headers: { authorization: `Bearer ${token}` }, signal: leave.signal, dispatcher: own });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toContain('tick');
      const closed = streamClosed;
      leave.abort();
      await expect(Promise.race([closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('still streaming after 2 s'), 2000))])).resolves.toBe('closed');
      await new Promise((r) => setTimeout(r, 50));
      expect(await upstreamErrors()).toBe(errorsBefore);
    } finally {
      await own.destroy();
    }
  });
});
