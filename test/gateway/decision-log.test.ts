// Decision logs uploaded to an OPA-compatible decision-log service: real
// gateways in process, a real control plane, upstream, PostgreSQL and Redis,
// and real HTTP receivers — one that gunzips and checks every event, one that
// fails and then recovers, one that never answers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane.ts';
import { startGateway, type RunningGateway } from '../support/gateway.ts';
import { client } from '../support/http.ts';
import { startUpstream, type RunningUpstream } from '../support/upstream.ts';
import { parseMasks } from '../../gateway/decision-log/masking.ts';
import { gatewayWorld, type GatewayWorld } from '../support/worlds/gateway.ts';

interface Receiver {
  url: string;
  events: Record<string, any>[];
  /** Every POST seen, whatever the answer. */
  posts: number;
  /** What the receiver does with the next POST: answer 204, answer 500, or never answer. */
  mode: 'ok' | 'fail' | 'hang';
  problems: string[];
  close: () => Promise<void>;
}

async function receiver(mode: Receiver['mode']): Promise<Receiver> {
  const held: ServerResponse[] = [];
  const r: Receiver = { url: '', events: [], posts: 0, mode, problems: [], close: async () => undefined };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      r.posts++;
      if (r.mode === 'hang') return void held.push(res);
      if (r.mode === 'fail') return void res.writeHead(500).end();
      if (req.method !== 'POST' || req.headers['content-encoding'] !== 'gzip' || req.headers['content-type'] !== 'application/json') {
        r.problems.push(`${req.method} ${req.headers['content-encoding']} ${req.headers['content-type']}`);
      }
      const batch = JSON.parse(gunzipSync(Buffer.concat(chunks)).toString()) as Record<string, any>[];
      if (!Array.isArray(batch)) r.problems.push('not an array');
      r.events.push(...batch);
      res.writeHead(204).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/logs`;
  r.close = async () => {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return r;
}

let cp: RunningControlPlane;
let upstream: RunningUpstream;
let world: GatewayWorld;
const open: { close: () => Promise<void> }[] = [];

beforeAll(async () => {
  cp = await startControlPlane();
  upstream = await startUpstream();
  world = await gatewayWorld(cp.deps);
});

afterAll(async () => {
  for (const o of open.reverse()) await o.close();
  await upstream?.close();
  await cp?.close();
});

// Delivery is at least once (as OPA's): a batch whose answer misses the upload timeout is sent
// again. The checking receiver gets a timeout no busy test machine reaches, so counts are exact.
async function gatewayTo(r: Receiver, env: Record<string, string>, timeoutMs = 300, uploadFlushMs = 20): Promise<RunningGateway> {
  const gw = await startGateway({
    routes: 'test/gateway/routes.yaml',
    upstreams: { 'http://upstream.test:1': upstream.url },
    env: { CONTROL_PLANE_URL: cp.url, DECISION_LOG_URL: r.url, ...env },
    deps: {
      decisionLog: {
        queue: { flushMs: 5, closeMs: 1000 },
        upload: { flushMs: uploadFlushMs, backoffBaseMs: 20, backoffMaxMs: 200, timeoutMs },
      },
    },
  });
  open.push(gw, r);
  return gw;
}

const metric = async (gw: RunningGateway, outcome: string) => {
  const m = new RegExp(`gateway_decision_log_events_total\\{outcome="${outcome}"\\} (\\d+)`).exec(await (await fetch(`${gw.url}/metrics`)).text());
  return Number(m?.[1]);
};

const failures = async (gw: RunningGateway) =>
  Number(/gateway_decision_log_upload_failures_total (\d+)/.exec(await (await fetch(`${gw.url}/metrics`)).text())?.[1]);

describe('uploads to a decision-log service', () => {
  it('sends every deny and the sampled allows as gzip JSON arrays of complete events, masked fields erased', async () => {
    const r = await receiver('ok');
    // Sample 0: no allow is kept, every deny is.
    const gw = await gatewayTo(r, { DECISION_LOG_SAMPLE: '0', DECISION_LOG_MASK: '/input/principal/product_ids, /input/principal/role/acl, /input/request/product_id, /result/product_scope' }, 10_000);
    const reader = await world.user({ acl: { orders: 'R' }, productIds: ['p-secret-product'] });
    const denied: string[] = [];
    for (let i = 0; i < 30; i++) {
      // A product-restricted user names its product where the route locates one (issue 17, finding 6).
      const allowed = await client(gw.url, reader.token).get(`/orders/${i}?page=${i}`, { 'x-merchant-id': world.m.direct, 'x-product-id': 'p-secret-product' });
      expect(allowed.status).toBe(200);
      const deny = await client(gw.url, reader.token).post(`/orders/${i}`, '{}', { 'x-merchant-id': world.m.direct, 'x-product-id': 'p-secret-product' });
      expect(deny.status).toBe(403);
      denied.push(deny.body.decisionId);
    }
    await expect.poll(() => r.events.length).toBe(30);
    await new Promise((res) => setTimeout(res, 100));
    expect(r.events).toHaveLength(30);
    expect(r.problems).toEqual([]);
    expect(r.events.map((e) => e.decision_id).sort()).toEqual([...denied].sort());
    for (const e of r.events) {
      expect(e).toMatchObject({
        path: 'authz/decision',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        bundles: { authz: { revision: gw.deps.policy.revision } },
        labels: { id: expect.any(String) },
        request: { method: 'POST', path: expect.stringMatching(/^\/orders\/\d+$/) },
        result: { allow: false, reasons: ['INSUFFICIENT_PERMISSION'] },
        input: {
          principal: { user_id: reader.id, tenant_id: world.tenantId, role: { id: reader.roleId, enabled: true } },
          context: { type: 'TENANT', id: world.tenantId },
          request: { module: 'orders', action: 'write', merchant_id: world.m.direct },
        },
        // The product the request names and the scope the result sends upstream carry it too (issue 17, finding 6).
        erased: ['/input/principal/product_ids', '/input/principal/role/acl', '/input/request/product_id', '/result/product_scope'],
      });
      expect(e.metrics.timer_server_handler_ns).toBeGreaterThan(0);
      expect(e.input.principal).not.toHaveProperty('product_ids');
      expect(e.input.principal.role).not.toHaveProperty('acl');
    }
    expect(JSON.stringify(r.events)).not.toContain('p-secret-product');
    expect(JSON.stringify(r.events)).not.toContain(reader.token);
    expect(await metric(gw, 'uploaded')).toBe(30);
    expect(await metric(gw, 'queued')).toBe(30);
    expect(await metric(gw, 'dropped')).toBe(0);
  });

  it('keeps events while the service fails (500s), counts the failures, and delivers them all once it recovers', async () => {
    const r = await receiver('fail');
    const gw = await gatewayTo(r, {}, 10_000);
    const u = await world.user({ acl: { orders: 'RW' } });
    for (let i = 0; i < 40; i++) {
      expect((await client(gw.url, u.token).get(`/orders/${i}`, { 'x-merchant-id': world.m.direct })).status).toBe(200);
    }
    await expect.poll(() => r.posts, { timeout: 5000 }).toBeGreaterThanOrEqual(3);
    expect(r.events).toHaveLength(0);
    expect(await failures(gw)).toBeGreaterThanOrEqual(3);
    r.mode = 'ok';
    await expect.poll(() => r.events.length, { timeout: 5000 }).toBe(40);
    expect(new Set(r.events.map((e) => e.decision_id)).size).toBe(40);
    expect(r.events.every((e) => e.result.allow === true && e.request.method === 'GET')).toBe(true);
    expect(await metric(gw, 'uploaded')).toBe(40);
    expect(await metric(gw, 'dropped')).toBe(0);
  });

  it('a service that never answers slows no request: the buffer stays bounded and the overflow is dropped and counted', async () => {
    const r = await receiver('hang');
    const gw = await gatewayTo(r, { DECISION_LOG_BUFFER_BYTES: '8192', DECISION_LOG_BATCH_BYTES: '4096' });
    const u = await world.user({ acl: { orders: 'RW' } });
    const as = client(gw.url, u.token);
    expect((await as.get('/orders/warm', { 'x-merchant-id': world.m.direct })).status).toBe(200);
    const started = performance.now();
    const statuses: number[] = [];
    for (let round = 0; round < 10; round++) {
      const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => as.get(`/orders/${round}-${i}`, { 'x-merchant-id': world.m.direct })));
      statuses.push(...replies.map((x) => x.status));
    }
    const elapsed = performance.now() - started;
    expect(statuses.every((s) => s === 200)).toBe(true);
    // 200 requests in 10 waves; a gateway waiting on the log would take ≥ 300 ms (the upload timeout) per wave.
    expect(elapsed).toBeLessThan(3000);
    await expect.poll(() => metric(gw, 'dropped')).toBeGreaterThan(100);
    const text = await (await fetch(`${gw.url}/metrics`)).text();
    expect(Number(/gateway_decision_log_buffer_bytes (\d+)/.exec(text)?.[1])).toBeLessThanOrEqual(8192);
    expect(await metric(gw, 'queued')).toBe(201);
    expect(r.events).toHaveLength(0);
    // The upload that hangs times out (300 ms here) and counts as a failure.
    await expect.poll(() => failures(gw)).toBeGreaterThanOrEqual(1);
  });

  it('delivers what is still queued when the gateway shuts down', async () => {
    const r = await receiver('ok');
    // A partial batch would wait a minute: only the shutdown sends it.
    const gw = await gatewayTo(r, {}, 10_000, 60_000);
    const u = await world.user({ acl: { orders: 'RW' } });
    for (let i = 0; i < 7; i++) {
      expect((await client(gw.url, u.token).get(`/orders/${i}`, { 'x-merchant-id': world.m.direct })).status).toBe(200);
    }
    await new Promise((res) => setTimeout(res, 100));
    expect(r.events).toHaveLength(0);
    await gw.close();
    open.splice(open.indexOf(gw), 1);
    expect(r.events).toHaveLength(7);
  });
});

describe('DECISION_LOG_MASK', () => {
  it('takes JSON pointers under /input or /result and refuses anything else by name', () => {
    expect(parseMasks(' /input/principal/product_ids,/result/merchant_scope ,/input/request/a~1b').map((m) => [m.root, m.path])).toEqual([
      ['input', ['principal', 'product_ids']],
      ['result', ['merchant_scope']],
      ['input', ['request', 'a/b']],
    ]);
    expect(parseMasks('')).toEqual([]);
    for (const bad of ['input/principal', '/principal/x', '/input//x', '/data/x']) {
      expect(() => parseMasks(bad)).toThrow(/DECISION_LOG_MASK/);
    }
  });
});
