// The stack a fault test breaks: a private redis-server (never the shared
// one) reached by the control plane and the gateway through TCP relays of
// their own, PostgreSQL reached through relays too (the shared server is
// never stopped: a relay is cut instead), an in-process gateway and control
// plane, the recording upstream, and a tenant whose admin acts over HTTP.
// The control plane's PostgreSQL relay also times its COMMITs, so ledgers
// judge revocations from them (`new Ledger(s.commits)`, commit-clock.ts).
import { startControlPlane, type RunningControlPlane } from '../control-plane.ts';
import { testEnv } from '../env.ts';
import { activate, tokenFor } from '../fixtures.ts';
import { startGateway, type GatewayStartOptions, type RunningGateway } from '../gateway.ts';
import { client } from '../http.ts';
import { startPrivateRedis, type PrivateRedis } from '../redis-server.ts';
import { startTcpProxy, type TcpProxy } from '../tcp-proxy.ts';
import { startUpstream, type RunningUpstream } from '../upstream.ts';
import { gatewayWorld, type GatewayWorld } from '../worlds/gateway.ts';
import { commitClock, type CommitClock } from './commit-clock.ts';
import { sessionOf, type Subject } from './traffic.ts';

export interface FaultStack {
  redis: PrivateRedis;
  /** Relays to the private Redis: the gateway's and the control plane's. */
  redisLink: { gateway: TcpProxy; controlPlane: TcpProxy };
  /** Relays to the shared PostgreSQL. */
  pgLink: { gateway: TcpProxy; controlPlane: TcpProxy };
  /** The control plane's COMMITs, as its PostgreSQL relay sees them. */
  commits: CommitClock;
  cp: RunningControlPlane;
  gw: RunningGateway;
  upstream: RunningUpstream;
  world: GatewayWorld;
  admin: ReturnType<typeof client>;
  /** An ACTIVE tenant user with its own role (or `roleId`) and one session. */
  subject: (opts?: { roleId?: string; merchants?: string[]; acl?: Record<string, string> }) => Promise<Subject>;
  /** Resolves when the gateway's change channel is up (true) or down (false). */
  channel: (live: boolean) => Promise<void>;
  close: () => Promise<void>;
}

const relayUrl = (url: string, relay: TcpProxy) => {
  const u = new URL(url);
  u.hostname = '127.0.0.1';
  u.port = String(relay.port);
  return u.toString();
};

export async function faultStack(opts: { gateway?: GatewayStartOptions; controlPlaneEnv?: Record<string, string> } = {}): Promise<FaultStack> {
  const env = testEnv();
  const redis = await startPrivateRedis();
  const db = new URL(env['DATABASE_URL']!);
  const [redisGw, redisCp, pgGw, pgCp] = await Promise.all([
    startTcpProxy('127.0.0.1', redis.port),
    startTcpProxy('127.0.0.1', redis.port),
    startTcpProxy(db.hostname, Number(db.port || 5432)),
    startTcpProxy(db.hostname, Number(db.port || 5432)),
  ]);
  const cp = await startControlPlane({
    REDIS_URL: relayUrl(redis.url, redisCp),
    DATABASE_URL: relayUrl(env['DATABASE_URL']!, pgCp),
    ...opts.controlPlaneEnv,
  });
  const upstream = await startUpstream();
  const gw = await startGateway({
    routes: 'test/gateway/routes.yaml',
    upstreams: { 'http://upstream.test:1': upstream.url },
    ...opts.gateway,
    env: {
      CONTROL_PLANE_URL: cp.url,
      REDIS_URL: relayUrl(redis.url, redisGw),
      DATABASE_URL: relayUrl(env['DATABASE_URL']!, pgGw),
      ...opts.gateway?.env,
    },
  });
  const commits = commitClock(pgCp);
  const world = await gatewayWorld(cp.deps);
  await activate(cp.deps, world.tenant.admin.id);
  const admin = client(cp.url, await tokenFor(cp.deps, world.tenant.admin.id));

  const subject: FaultStack['subject'] = async (o = {}) => {
    const merchants = o.merchants ?? [world.m.direct, world.m.other];
    const u = await world.user({ acl: (o.acl ?? { orders: 'RW' }) as never, ...(o.roleId && { roleId: o.roleId }), merchantsAccess: merchants });
    return {
      userId: u.id, roleId: u.roleId, email: '', password: '', merchants,
      sessions: [{ sid: sessionOf(u.token), accessToken: u.token, refreshToken: '' }], lock: Promise.resolve(),
    };
  };

  return {
    redis, redisLink: { gateway: redisGw, controlPlane: redisCp }, pgLink: { gateway: pgGw, controlPlane: pgCp }, commits,
    cp, gw, upstream, world, admin, subject, channel: gw.channel,
    close: async () => {
      // A test that failed mid-fault leaves no relay stalled or slow behind it.
      for (const relay of [redisGw, redisCp, pgGw, pgCp]) {
        relay.resume();
        relay.latencyMs = 0;
      }
      await gw.close();
      await cp.close();
      commits.stop();
      await upstream.close();
      await Promise.all([redisGw.stop(), redisCp.stop(), pgGw.stop(), pgCp.stop()]);
      await redis.stop();
    },
  };
}

