// Revocation propagation: two gateway processes under steady load (another
// user's token, from a separate autocannon process), and a probe user whose
// access the control plane changes over its own HTTP API as an admin would:
// role edited, merchant access removed, role disabled, user disabled, sessions
// revoked — and the reversible ones restored. For every change each gateway
// is polled with the probe's token, one request after another on a
// keep-alive connection, from before the change is sent until the answer
// reflects it (403 for a revocation, 200 for a restoration).
//
// Commit time: the control plane publishes right after its transaction
// commits (in the background) and stamps the message with Date.now() (`at`);
// the bench listens on the channel too. Propagation = first reflecting answer (wall clock, µs) −
// `at` (ms, truncated: overstates by up to 1 ms). The time from sending the
// admin request is reported as well (an upper bound that also counts the
// control plane's own request handling).
import { Pool } from 'undici';
import { Redis } from 'ioredis';
import { authzChannel } from '../../core/changes/authz-changes.ts';
import { operationsAcl, type World, type SeededUser } from '../lib/stack.ts';
import type { Service } from '../lib/processes.ts';
import type { Mode } from '../lib/mode.ts';
import { background } from '../lib/load.ts';
import { median, percentile } from '../lib/stats.ts';

const wall = () => performance.timeOrigin + performance.now();

export interface ChangeSample {
  kind: string;
  revocation: boolean;
  /** ms from the commit stamp to the first reflecting answer, per gateway (NaN: not seen in time). */
  fromCommit: number[];
  fromSend: number[];
}

export interface RevocationResult {
  samples: ChangeSample[];
  revocations: { count: number; p50: number; p99: number; max: number; fromSendP99: number; missed: number };
  restorations: { count: number; p50: number; p99: number; max: number; missed: number };
  byKind: Record<string, { count: number; p50: number; p99: number }>;
  backgroundRate: number;
  background: { requests: number; non2xx: number; errors: number }[];
}

interface Ctx {
  controlPlane: Service;
  gateways: Service[];
  world: World;
  redisUrl: string;
  prefix: string;
}

export async function revocation(mode: Mode, ctx: Ctx, loadUser: SeededUser, capacity: number, log: (s: string) => void): Promise<RevocationResult> {
  const { world, gateways } = ctx;
  const probeRole = await world.role(operationsAcl);
  const [m0, m1] = world.merchants as [string, string];
  const probe = await world.user({ roleId: probeRole, merchantsAccess: [m0, m1] });
  let probeToken = probe.token;

  // Commit stamps of published changes, in arrival order.
  const stamps: { at: number; received: number }[] = [];
  const sub = new Redis(ctx.redisUrl, { lazyConnect: true });
  await sub.connect();
  sub.on('message', (_channel: string, message: string) => {
    const received = wall();
    for (const c of JSON.parse(message) as { at: number }[]) stamps.push({ at: c.at, received });
  });
  await sub.subscribe(authzChannel(ctx.prefix));

  const pools = gateways.map((g) => new Pool(g.url, { connections: 1, pipelining: 1, keepAliveTimeout: 60_000 }));
  const ask = async (pool: Pool): Promise<number> => {
    const res = await pool.request({
      method: 'GET',
      path: '/orders',
      headers: { authorization: `Bearer ${probeToken}`, 'x-merchant-id': m0 },
    });
    await res.body.dump();
    return res.statusCode;
  };
  const admin = async (method: string, path: string, body: unknown = {}) => {
    const res = await fetch(`${ctx.controlPlane.url}/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${world.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  };

  const samples: ChangeSample[] = [];
  /** Sends a change and polls both gateways until each answers `want`. */
  const measure = async (kind: string, revocation: boolean, send: () => Promise<void>) => {
    const want = revocation ? 403 : 200;
    // Warm: the probe's records are in every gateway's LRU before the change.
    for (const pool of pools) for (let i = 0; i < 3; i++) {
      const s = await ask(pool);
      if (s !== (revocation ? 200 : 403)) throw new Error(`${kind}: probe answered ${s} before the change`);
    }
    const firstStamp = stamps.length;
    const sentAt = wall();
    const deadline = performance.now() + mode.revocation.timeoutMs;
    const watch = async (pool: Pool): Promise<number> => {
      while (performance.now() < deadline) {
        if ((await ask(pool)) === want) return wall();
      }
      return NaN;
    };
    const [seen] = await Promise.all([Promise.all(pools.map(watch)), send()]);
    // The announcement goes out after the commit without holding the admin's
    // answer (core/changes/authz-changes.ts), so it may arrive after both.
    const stampDeadline = performance.now() + 2000;
    while (stamps.length === firstStamp && performance.now() < stampDeadline) await new Promise((r) => setTimeout(r, 2));
    const stamp = stamps.slice(firstStamp).reduce((min, s) => Math.min(min, s.at), Infinity);
    samples.push({
      kind,
      revocation,
      fromCommit: seen.map((t) => (Number.isFinite(stamp) ? t - stamp : NaN)),
      fromSend: seen.map((t) => t - sentAt),
    });
  };

  const rate = capacity * mode.revocation.backgroundShare;
  const loads = gateways.map((g) =>
    background({
      url: `${g.url}/orders`,
      connections: 8,
      rate: rate / gateways.length,
      headers: { authorization: `Bearer ${loadUser.token}`, 'x-merchant-id': loadUser.merchantsAccess[0]! },
      maxSec: 600,
    }),
  );
  let backgroundResults: RevocationResult['background'] = [];
  try {
    await new Promise((r) => setTimeout(r, mode.name === 'quick' ? 200 : 1000)); // let the load settle
    for (let cycle = 1; cycle <= mode.revocation.cycles; cycle++) {
      await measure('role edited', true, () => admin('PATCH', `/roles/${probeRole}`, { acl: { ...operationsAcl, orders: 'NA' } }));
      await measure('role edit reverted', false, () => admin('PATCH', `/roles/${probeRole}`, { acl: operationsAcl }));
      await measure('merchant access removed', true, () => admin('PUT', `/users/${probe.id}/merchant-access`, { merchantsAccess: [m1] }));
      await measure('merchant access restored', false, () => admin('PUT', `/users/${probe.id}/merchant-access`, { merchantsAccess: [m0, m1] }));
      await measure('role disabled', true, () => admin('POST', `/roles/${probeRole}/disable`));
      await measure('role enabled', false, () => admin('POST', `/roles/${probeRole}/enable`));
      await measure('user disabled', true, () => admin('POST', `/users/${probe.id}/disable`));
      await admin('POST', `/users/${probe.id}/enable`);
      probeToken = await world.token(probe.id); // disabling ended the old sessions
      await measure('sessions revoked', true, () => admin('POST', `/users/${probe.id}/revoke-sessions`));
      probeToken = await world.token(probe.id);
      log(`  cycle ${cycle}/${mode.revocation.cycles}: ${samples.length} changes measured`);
    }
  } finally {
    backgroundResults = await Promise.all(loads.map((l) => l.stop()));
    await Promise.all(pools.map((p) => p.close()));
    sub.disconnect();
  }

  const all = (s: ChangeSample[]) => s.flatMap((x) => x.fromCommit);
  const summary = (s: ChangeSample[]) => {
    const xs = all(s);
    const ok = xs.filter(Number.isFinite);
    return { count: xs.length, p50: median(ok), p99: percentile(ok, 99), max: Math.max(...ok), missed: xs.length - ok.length };
  };
  const revs = samples.filter((s) => s.revocation);
  const byKind: RevocationResult['byKind'] = {};
  for (const kind of new Set(samples.map((s) => s.kind))) {
    const xs = all(samples.filter((s) => s.kind === kind)).filter(Number.isFinite);
    byKind[kind] = { count: xs.length, p50: median(xs), p99: percentile(xs, 99) };
  }
  return {
    samples,
    revocations: { ...summary(revs), fromSendP99: percentile(revs.flatMap((s) => s.fromSend).filter(Number.isFinite), 99) },
    restorations: summary(samples.filter((s) => !s.revocation)),
    byKind,
    backgroundRate: Math.round(rate),
    background: backgroundResults,
  };
}
