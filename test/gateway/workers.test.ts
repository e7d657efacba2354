// GATEWAY_WORKERS=2: the real entry point (`gateway/server.ts`, as
// `npm run start:gateway` runs it) as a node:cluster primary with two worker
// processes on one port. Requests are spread over both workers (seen by the
// `labels.id`, host:pid, of their decision-log events on stdout); a
// revocation published once reaches both (every request after it is denied,
// by both workers); SIGTERM stops the primary and its workers.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane.ts';
import { testEnv } from '../support/env.ts';
import { startUpstream, type RunningUpstream } from '../support/upstream.ts';
import { gatewayWorld, type GatewayWorld } from '../support/worlds/gateway.ts';

let cp: RunningControlPlane;
let upstream: RunningUpstream;
let world: GatewayWorld;
let dir: string;
let primary: ChildProcess | null = null;
let gatewayUrl = '';
const events: Record<string, any>[] = [];
let stderr = '';

/** A GET on a connection of its own (a kept-alive connection would stay with one worker). */
function get(path: string, token: string, merchant: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${gatewayUrl}${path}`, { agent: false, headers: { authorization: `Bearer ${token}`, 'x-merchant-id': merchant } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
}

async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

beforeAll(async () => {
  cp = await startControlPlane();
  upstream = await startUpstream();
  world = await gatewayWorld(cp.deps);
  dir = await mkdtemp(join(tmpdir(), 'iam-gw-workers-'));
  const routes = join(dir, 'routes.yaml');
  await writeFile(routes, (await readFile('test/gateway/routes.yaml', 'utf8')).replaceAll('http://upstream.test:1', upstream.url));
  const port = await freePort();
  primary = spawn(process.execPath, ['--import', 'tsx', 'gateway/server.ts'], {
    env: { ...process.env, ...testEnv(), CONTROL_PLANE_URL: cp.url, GATEWAY_ROUTES: routes, GATEWAY_PORT: String(port), GATEWAY_WORKERS: '2', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffered = '';
  primary.stdout!.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      const parsed = JSON.parse(line) as Record<string, any>;
      if (parsed['path'] === 'authz/decision') events.push(parsed);
    }
  });
  primary.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  gatewayUrl = `http://127.0.0.1:${port}`;
  // Ready once a worker answers; the test below waits for the second one by its events.
  const deadline = Date.now() + 120_000;
  while ((await fetch(`${gatewayUrl}/readyz`).then((r) => r.status, () => 0)) !== 200) {
    if (Date.now() > deadline || primary.exitCode !== null) throw new Error(`the gateway did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}, 180_000);


afterAll(async () => {
  if (primary && primary.exitCode === null) primary.kill('SIGKILL');
  await upstream?.close();
  await cp?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('GATEWAY_WORKERS=2', () => {
  it('spreads requests over two worker processes, and a revocation reaches both', async () => {
    const u = await world.user({ acl: { orders: 'RW' } });
    const as = { get: (path: string) => get(path, u.token, world.m.direct) };
    // Decision events are written off the request path, so an event of an earlier request can
    // arrive late: the requests after the revocation are told apart by their path.
    const workersOf = (allow: boolean, pathPrefix: string) =>
      new Set(events.filter((e) => e.result.allow === allow && String(e.request?.path ?? '').startsWith(pathPrefix)).map((e) => e.labels.id as string));
    // Until both workers have decided an allow for this user (the second may still be booting).
    await expect.poll(async () => {
      expect(await as.get('/orders/1')).toBe(200);
      return workersOf(true, '/orders/1').size;
    }, { timeout: 90_000, interval: 50, message: 'decision events from two workers' }).toBe(2);
    expect([...workersOf(true, '/orders/1')].every((id) => /:\d+$/.test(id))).toBe(true);

    await world.update.user(u.id, { status: 'DISABLED' });
    await cp.deps.changes.publish([{ kind: 'user', id: u.id }]);
    // The first denial, then every request is denied — by both workers.
    await expect.poll(async () => as.get('/orders/2'), { timeout: 5000, interval: 20 }).toBe(403);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push(await as.get(`/orders/after-${i}`));
    expect(statuses.every((s) => s === 403)).toBe(true);
    await expect.poll(() => workersOf(false, '/orders/after-').size).toBe(2);
    expect(workersOf(true, '/orders/after-').size).toBe(0);
  }, 150_000);

  it('SIGTERM stops the primary and both workers', async () => {
    primary!.kill('SIGTERM');
    const [code] = (await once(primary!, 'exit')) as [number | null];
    expect(code, stderr.slice(-2000)).toBe(0);
    await expect(fetch(`${gatewayUrl}/healthz`)).rejects.toThrow();
  }, 30_000);
});
