// Fail closed. A gateway on its own redis-server (stopped and restarted by
// the test) and reaching PostgreSQL through a TCP relay (cut and restored):
// with Redis down, decisions come from PostgreSQL and nothing is allowed that
// should not be, even changes nobody could publish; with both down, 503;
// after Redis is back the gateway resubscribes and flushes, so a change
// missed while it was disconnected is never served.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthzChangePublisher } from '../../core/changes/authz-changes.ts';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane.ts';
import { testEnv } from '../support/env.ts';
import { startGateway, type RunningGateway } from '../support/gateway.ts';
import { client } from '../support/http.ts';
import { startPrivateRedis, type PrivateRedis } from '../support/redis-server.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { startUpstream, type RunningUpstream } from '../support/upstream.ts';
import { gatewayWorld, type GatewayWorld } from '../support/worlds/gateway.ts';

let cp: RunningControlPlane;
let upstream: RunningUpstream;
let redis: PrivateRedis;
let pg: TcpProxy;
let gw: RunningGateway;
let world: GatewayWorld;
let publisherRedis: Redis;
let publisher: AuthzChangePublisher;

beforeAll(async () => {
  cp = await startControlPlane();
  upstream = await startUpstream();
  redis = await startPrivateRedis();
  const env = testEnv();
  const db = new URL(env['DATABASE_URL']!);
  pg = await startTcpProxy(db.hostname, Number(db.port || 5432));
  db.hostname = '127.0.0.1';
  db.port = String(pg.port);
  gw = await startGateway({
    routes: 'test/gateway/routes.yaml',
    upstreams: { 'http://upstream.test:1': upstream.url },
    env: { CONTROL_PLANE_URL: cp.url, REDIS_URL: redis.url, DATABASE_URL: db.toString() },
  });
  // The control plane's publisher, pointed at the gateway's Redis.
  publisherRedis = new Redis(redis.url, { keyPrefix: env['REDIS_KEY_PREFIX']!, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  publisherRedis.on('error', () => {});
  publisher = new AuthzChangePublisher(publisherRedis, env['REDIS_KEY_PREFIX']!);
  world = await gatewayWorld(cp.deps);
});

afterAll(async () => {
  publisherRedis?.disconnect();
  await gw?.close();
  await redis?.stop();
  await pg?.stop();
  await upstream?.close();
  await cp?.close();
});

const postgresLoads = async () => {
  const text = await (await fetch(new URL('/metrics', gw.url))).text();
  return Number(/gateway_principal_cache_total\{layer="postgres",kind="user",result="load"\} (\d+)/.exec(text)?.[1] ?? 0);
};

describe('with Redis down', () => {
  it('decides from PostgreSQL, applies unpublished changes at once, and answers 503 only when PostgreSQL is down too', async () => {
    const a = await world.user({ acl: { orders: 'RW' } });
    const reader = await world.user({ acl: { orders: 'R' } });
    const m1 = { 'x-merchant-id': world.m.direct };
    expect(gw.deps.changes.live).toBe(true);
    expect((await client(gw.url, a.token).get('/orders', m1)).status).toBe(200);
    expect((await client(gw.url, reader.token).get('/orders')).status).toBe(200);

    await redis.stop();
    await gw.channel(false);

    // Decisions keep coming, from PostgreSQL on every request (the local cache is not trusted now).
    const loads = await postgresLoads();
    expect((await client(gw.url, a.token).get('/orders', m1)).status).toBe(200);
    expect((await client(gw.url, a.token).get('/orders', m1)).status).toBe(200);
    expect(await postgresLoads()).toBe(loads + 2);
    const write = await client(gw.url, reader.token).post('/orders', '{}', m1);
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('INSUFFICIENT_PERMISSION');

    // Changes that cannot be published now still apply to the very next request.
    await world.update.user(a.id, { merchantsAccess: [world.m.other] });
    expect((await client(gw.url, a.token).get('/orders', m1)).body.code).toBe('MERCHANT_ACCESS_DENIED');
    await world.update.role(reader.roleId, { enabled: false });
    expect((await client(gw.url, reader.token).get('/orders')).body.code).toBe('ROLE_DISABLED');
    await world.update.user(a.id, { status: 'DISABLED' });
    expect((await client(gw.url, a.token).get('/orders')).body.code).toBe('USER_DISABLED');

    const ready = await client(gw.url).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', redis: false, postgres: true, changeChannel: false });

    // PostgreSQL down as well: nothing to decide from, so nothing is allowed.
    const b = await world.user({ acl: { orders: 'RW' } });
    await pg.stop();
    const down = await client(gw.url, b.token).get('/orders');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ statusCode: 503, code: 'UNAVAILABLE' });
    const notReady = await client(gw.url).get('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body).toMatchObject({ status: 'unavailable', redis: false, postgres: false });

    await pg.start();
    expect((await client(gw.url, b.token).get('/orders')).status).toBe(200);
  });
});

describe('after Redis comes back', () => {
  it('resubscribes, flushes, and applies published changes again', async () => {
    await redis.start();
    await gw.deps.changes.whenLive();
    expect(gw.deps.changes.live).toBe(true);
    expect((await client(gw.url).get('/readyz')).body).toMatchObject({ redis: true, changeChannel: true });

    const u = await world.user({ acl: { orders: 'RW' } });
    expect((await client(gw.url, u.token).get('/orders')).status).toBe(200);
    const applied = new Promise<void>((resolve) => {
      const off = gw.deps.changes.onChange((c) => {
        if (c.id === u.id) {
          off();
          resolve();
        }
      });
    });
    await world.update.user(u.id, { status: 'DISABLED' });
    await publisher.publish([{ kind: 'user', id: u.id }]);
    await applied;
    expect((await client(gw.url, u.token).get('/orders')).body.code).toBe('USER_DISABLED');
  });

  it('never serves a change it missed while its subscription was down', async () => {
    const u = await world.user({ acl: { orders: 'RW' } });
    expect((await client(gw.url, u.token).get('/orders')).status).toBe(200);
    expect((await client(gw.url, u.token).get('/orders')).status).toBe(200); // cached in process now

    // Drop only the gateway's subscriber connection (Redis keeps running and keeps its data)...
    const down = gw.channel(false);
    await redis.command('CLIENT', 'KILL', 'TYPE', 'pubsub');
    await down;
    // ...and publish while it is gone: this message is lost for the gateway.
    await world.update.user(u.id, { status: 'DISABLED' });
    await publisher.publish([{ kind: 'user', id: u.id }]);

    await gw.deps.changes.whenLive();
    expect((await client(gw.url, u.token).get('/orders')).body.code).toBe('USER_DISABLED');
  });
});
