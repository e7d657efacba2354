// A security team publishes one signed bundle to a plain HTTP server and two
// gateways and a control plane switch to it without a failed request; bad
// bundles (tampered, another key, unsigned, corrupt wasm) and a bundle server
// that is down or hangs are refused while the last good bundle keeps
// deciding; a restart without the server starts on the persisted bundle; a
// shadow bundle's disagreements are counted and logged. Bundles are built and
// signed by the pinned OPA CLI (signed-bundles.ts), served by bundle-server.ts:
// gateway A long-polls (/lp/), gateway B and the control plane poll (/plain/).
// rev-b differs from rev-a on both services: the gateways deny analytics, the
// control plane denies reading roles (GET /v1/roles), so a switch shows on each.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivePolicy, BundleEvent } from '../../core/policy/bundle/active-policy.ts';
import { bundleCacheFolder } from '../../core/policy/bundle/store.ts';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane.ts';
import { startGateway, type RunningGateway } from '../support/gateway.ts';
import { client } from '../support/http.ts';
import { policySources } from '../support/policy-bundle.ts';
import { startUpstream, type RunningUpstream } from '../support/upstream.ts';
import { gatewayWorld, type GatewayWorld } from '../support/worlds/gateway.ts';
import { BundleServer } from '../support/bundles/bundle-server.ts';
import { opaBundle, opaSign, rework, rsaKey, unpack, type SigningKey } from '../support/bundles/signed-bundles.ts';

const POLL_SECONDS = 1;
const TOKEN = 'bundle-service-token';
const analyticsOff = 'package authz\n\nrequest_reasons contains "INSUFFICIENT_PERMISSION" if request.module == "analytics"\n';
const rolesReadOff = 'package authz\n\noperation_reasons contains "FORBIDDEN" if input.operation == "roles.read"\n';
// Activation bounds, from publishing to each service's activatedAt. A long-polling service is
// answered at once; what remains is download, verification, wasm compile and self-test: 20-46 ms
// observed (7 runs on a loaded 2-core machine), so 1 s leaves room for a slow compile. A polling
// service asks again at most one jittered interval (0.5-1x POLL_SECONDS) after its last poll, then
// does the same work: 117-871 ms observed with a 1 s interval; the 500 ms margin covers that work
// many times over on a busy machine, not another interval.
const LONG_POLL_ACTIVATION_MS = 1000;
const POLL_ACTIVATION_MS = POLL_SECONDS * 1000 + 500;

let work: string;
let key: SigningKey;
let otherKey: SigningKey;
const bundles: Record<'a' | 'b' | 'tampered' | 'wrongKey' | 'unsigned' | 'corruptWasm' | 'allowAll', Buffer> = {} as never;
// Loads, but allows everything: the health check (a disabled user must be denied) refuses it.
const allowAll = 'package authz\n\ndecision := {"allow": true, "reasons": []}\n\nadmin := {"allow": true, "reasons": []}\n\nrole_check := {"violations": []}\n';
const server = new BundleServer();
let cp: RunningControlPlane;
let upstream: RunningUpstream;
let gwA: RunningGateway;
let gwB: RunningGateway;
let world: GatewayWorld;
const events = new Map<string, BundleEvent[]>();

function bundleEnv(path: string, cacheDir: string): Record<string, string> {
  return {
    POLICY_BUNDLE_URL: `${server.url}${path}`,
    POLICY_BUNDLE_TOKEN: TOKEN,
    POLICY_BUNDLE_VERIFICATION_KEY: key.publicPem,
    POLICY_BUNDLE_POLL_SECONDS: String(POLL_SECONDS),
    POLICY_BUNDLE_LONG_POLL_SECONDS: '2',
    POLICY_BUNDLE_TIMEOUT_MS: '1000',
    POLICY_BUNDLE_CACHE_DIR: cacheDir,
    STATUS_URL: `${server.url}/status`,
  };
}

function follow(name: string, active: ActivePolicy): void {
  const seen: BundleEvent[] = [];
  events.set(name, seen);
  active.on((e) => seen.push(e));
}

const services = () => [
  { name: 'gateway A', active: gwA.deps.policy.active },
  { name: 'gateway B', active: gwB.deps.policy.active },
  { name: 'control plane', active: cp.deps.policySource!.active },
];

async function until(what: string, ok: () => boolean, timeoutMs = 8000): Promise<number> {
  const started = performance.now();
  while (!ok()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - started;
}

/** What a loop saw of one request: the status, with the code of a denial, or the connection error. */
type Outcome = string;
const ALLOWED = '200';
const ANALYTICS_DENIED = '403 INSUFFICIENT_PERMISSION';
const ADMIN_DENIED = '403 FORBIDDEN';

/**
 * Sequential request loops until `stop()`, each with what it saw: two per gateway on
 * /analytics/daily (rev-a allows, rev-b denies), and on the control plane one on
 * GET /v1/users (allowed by both) and one on GET /v1/roles (rev-a allows, rev-b denies),
 * both decided by the control plane's bundle in force. `token` needs analytics, users and roles.
 */
function traffic(token: string) {
  const targets = [
    { name: 'gateway A /analytics/daily', url: gwA.url, path: '/analytics/daily' },
    { name: 'gateway B /analytics/daily', url: gwB.url, path: '/analytics/daily' },
    { name: 'gateway A /analytics/daily', url: gwA.url, path: '/analytics/daily' },
    { name: 'gateway B /analytics/daily', url: gwB.url, path: '/analytics/daily' },
    { name: 'control plane /v1/users', url: cp.url, path: '/v1/users?limit=1' },
    { name: 'control plane /v1/roles', url: cp.url, path: '/v1/roles?limit=1' },
  ];
  const seen: Outcome[][] = targets.map(() => []);
  let stopped = false;
  const loops = targets.map(async (t, i) => {
    const api = client(t.url, token);
    while (!stopped) {
      const outcome = await api.get(t.path).then(
        (r) => (r.status === 200 ? ALLOWED : `${r.status} ${r.body?.code ?? ''}`.trim()),
        (err: Error) => `error ${(err.cause as Error | undefined)?.message ?? err.message}`,
      );
      seen[i]!.push(outcome);
    }
  });
  const answered = (counts: number[], more: number) => seen.every((s, i) => s.length >= counts[i]! + more);
  return {
    /** Once every loop has had an answer. */
    async started() {
      while (!answered(seen.map(() => 0), 1)) await new Promise((r) => setTimeout(r, 5));
    },
    /** Every loop's outcomes by its name (two more answers each first), the loops stopped. */
    async stop() {
      const counts = seen.map((s) => s.length);
      while (!answered(counts, 2)) await new Promise((r) => setTimeout(r, 5));
      stopped = true;
      await Promise.all(loops);
      return targets.map((t, i) => ({ name: t.name, outcomes: seen[i]! }));
    },
  };
}

/** What each loop must see while rev-b is in force. */
const underRevB = (name: string): Outcome => (name.endsWith('/v1/users') ? ALLOWED : name.startsWith('gateway') ? ANALYTICS_DENIED : ADMIN_DENIED);

/** A loop's outcomes as runs of equal ones ("200 x30, 403 INSUFFICIENT_PERMISSION x234"), for readable failures. */
function runs(outcomes: Outcome[]): string {
  const out: [Outcome, number][] = [];
  for (const o of outcomes) {
    const last = out.at(-1);
    if (last?.[0] === o) last[1]++;
    else out.push([o, 1]);
  }
  return out.map(([o, n]) => `${o} x${n}`).join(', ');
}

/** A loop's outcomes without the counts: "200, 403 FORBIDDEN" for one that switched once. */
const phases = (outcomes: Outcome[]) => runs(outcomes).replace(/ x\d+/g, '');

/** Polls `read` until `ok` holds of its value (5 s at most); the last value. */
async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  const started = performance.now();
  let v = await read();
  while (!ok(v) && performance.now() - started < 5000) {
    await new Promise((r) => setTimeout(r, 20));
    v = await read();
  }
  return v;
}

const refusals = (name: string) => (events.get(name) ?? []).filter((e) => e.kind === 'refused');

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iam-distribution-'));
  key = await rsaKey(work, 'security-team');
  otherKey = await rsaKey(work, 'someone-else');
  const plain = await policySources();
  const off = await policySources({ 'authz/zz_analytics_off.rego': analyticsOff, 'authz/zz_roles_read_off.rego': rolesReadOff });
  const open = await mkdtemp(join(work, 'allow-all-'));
  await writeFile(join(open, 'allow_all.rego'), allowAll);
  [bundles.a, bundles.b, bundles.allowAll] = await Promise.all([
    opaBundle(plain, 'rev-a', key), opaBundle(off, 'rev-b', key), opaBundle(open, 'rev-allow-all', key),
  ]);
  await Promise.all([rm(plain, { recursive: true, force: true }), rm(off, { recursive: true, force: true })]);
  [bundles.tampered, bundles.wrongKey, bundles.unsigned, bundles.corruptWasm] = await Promise.all([
    // Data edited after signing: the signature no longer covers it.
    rework(bundles.a, async (dir) => writeFile(join(dir, 'data.json'), JSON.stringify({ tampered: true }))),
    rework(bundles.a, (dir) => opaSign(dir, otherKey)),
    rework(bundles.a, (dir) => rm(join(dir, '.signatures.json'))),
    // Signed by the security team, but the wasm is not WebAssembly: refused when loading.
    rework(bundles.a, async (dir) => {
      await writeFile(join(dir, 'policy.wasm'), 'this is not WebAssembly');
      await opaSign(dir, key);
    }),
  ]);

  server.token = TOKEN;
  server.publish(bundles.a);
  await server.start();
  upstream = await startUpstream();
  cp = await startControlPlane(bundleEnv('/plain/bundle.tar.gz', join(work, 'cache-cp')));
  const gatewayEnv = (path: string, cache: string) => ({ CONTROL_PLANE_URL: cp.url, ...bundleEnv(path, join(work, cache)) });
  [gwA, gwB] = await Promise.all([
    startGateway({ routes: 'test/gateway/routes.yaml', upstreams: { 'http://upstream.test:1': upstream.url }, env: gatewayEnv('/lp/bundle.tar.gz', 'cache-a') }),
    startGateway({ routes: 'test/gateway/routes.yaml', upstreams: { 'http://upstream.test:1': upstream.url }, env: gatewayEnv('/plain/bundle.tar.gz', 'cache-b') }),
  ]);
  for (const s of services()) follow(s.name, s.active);
  world = await gatewayWorld(cp.deps);
}, 120_000);

afterAll(async () => {
  await gwA?.close();
  await gwB?.close();
  await cp?.close();
  await upstream?.close();
  await server.stop();
  await rm(work, { recursive: true, force: true });
});

describe('signed bundles over the bundle service protocol', () => {
  it('starts every service on the published bundle, with its revision in /readyz and /metrics', async () => {
    for (const s of services()) expect(s.active.revision).toBe('rev-a');
    for (const url of [gwA.url, gwB.url, cp.url]) {
      const ready = await client(url).get('/readyz');
      expect(ready.body.policy).toBe('rev-a');
      expect(ready.body.bundle).toMatchObject({ revision: 'rev-a', source: 'server', lastError: null });
      expect(Date.parse(ready.body.bundle.activatedAt)).toBeGreaterThan(Date.now() - 120_000);
    }
    const metrics = await (await fetch(new URL('/metrics', gwA.url))).text();
    expect(metrics).toContain('gateway_policy_bundle_revision_info{revision="rev-a",source="server"} 1');
    expect(metrics).toMatch(/gateway_policy_bundle_activation_timestamp_seconds \d+/);
    const cpMetrics = await (await fetch(new URL('/metrics', cp.url))).text();
    expect(cpMetrics).toContain('control_plane_policy_bundle_revision_info{revision="rev-a",source="server"} 1');
    expect(cpMetrics).toContain('control_plane_policy_bundle_activations_total 1');
    expect(server.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('switches two gateways and the control plane to a new signed bundle within the poll interval, without a failed request', async () => {
    const u = await world.user({ acl: { orders: 'R', analytics: 'R', users: 'R', roles: 'R' } });
    expect((await client(gwA.url, u.token).get('/analytics/daily')).status).toBe(200);
    expect((await client(cp.url, u.token).get('/v1/roles?limit=1')).status).toBe(200);
    const load = traffic(u.token);
    await load.started();
    const publishedAt = Date.now();
    server.publish(bundles.b);
    // A timeout well past the bounds, so that a slow service fails on the bounds below, with its figures.
    await until('rev-b everywhere', () => services().every((s) => s.active.revision === 'rev-b'), POLL_SECONDS * 1000 + 5000);
    const delays = Object.fromEntries(services().map((s) => [s.name, s.active.status.activatedAt.getTime() - publishedAt]));
    const seen = await load.stop();
    console.log(`bundle rollout: rev-b activated after ${Object.entries(delays).map(([n, ms]) => `${n} ${ms} ms`).join(', ')} ` +
      `(poll interval ${POLL_SECONDS} s); requests during the switch: ${seen.map((l) => `${l.name}: ${runs(l.outcomes)}`).join('; ')}`);
    // Gateway A long-polls: the server answers it at publishing. B and the control plane poll.
    expect(delays['gateway A']).toBeLessThanOrEqual(LONG_POLL_ACTIVATION_MS);
    expect(delays['gateway B']).toBeLessThanOrEqual(POLL_ACTIVATION_MS);
    expect(delays['control plane']).toBeLessThanOrEqual(POLL_ACTIVATION_MS);
    // Every loop saw rev-a's answer (all allowed) until its service switched, then rev-b's: nothing else, no error.
    for (const loop of seen) {
      const after = underRevB(loop.name);
      expect({ loop: loop.name, phases: phases(loop.outcomes) }).toEqual({ loop: loop.name, phases: after === ALLOWED ? ALLOWED : `${ALLOWED}, ${after}` });
    }
    expect(cp.deps.policy.revision).toBe('rev-b');
    expect((await client(cp.url).get('/readyz')).body.bundle.revision).toBe('rev-b');
    // The long-polling gateway was told by the server, not by its next poll.
    expect(server.requests.some((r) => r.path.startsWith('/lp/') && r.prefer === 'wait=2')).toBe(true);
  });

  it('keeps the active bundle on 304 Not Modified', async () => {
    const before = server.requests.length;
    const activations = services().map((s) => s.active.status.activatedAt.getTime());
    await until('two more polls', () => server.requests.slice(before).filter((r) => r.status === 304 && r.path.startsWith('/plain/')).length >= 4);
    expect(server.requests.slice(before).filter((r) => r.path.startsWith('/plain/')).every((r) => r.status === 304)).toBe(true);
    expect(services().map((s) => s.active.status.activatedAt.getTime())).toEqual(activations);
  });

  it('reports status to STATUS_URL in OPA\'s shape', async () => {
    await until('status reports of rev-b', () => server.reports.filter((r) => activeRevision(r) === 'rev-b').length >= 3);
    const report = server.reports.find((r) => activeRevision(r) === 'rev-b')!;
    expect(report).toMatchObject({
      labels: { id: expect.any(String) },
      bundles: { authz: { name: 'authz', active_revision: 'rev-b', last_successful_activation: expect.any(String), last_successful_download: expect.any(String) } },
    });
    expect(new Set(server.reports.map((r) => (r.labels as { service: string }).service))).toEqual(new Set(['gateway', 'control-plane']));
  });

  const cases = [
    { name: 'a tampered file', bundle: 'tampered', reason: 'verification', message: /data\.json: digest mismatch/ },
    { name: 'a bundle signed with another key', bundle: 'wrongKey', reason: 'verification', message: /does not verify/ },
    { name: 'an unsigned bundle', bundle: 'unsigned', reason: 'verification', message: /not signed/ },
    { name: 'a signed bundle whose wasm is corrupt', bundle: 'corruptWasm', reason: 'load', message: /does not load/ },
    { name: 'a signed bundle that fails the health check', bundle: 'allowAll', reason: 'health', message: /failed its self-test/ },
  ] as const;
  for (const c of cases) {
    it(`refuses ${c.name}; the last good bundle keeps deciding, no request fails`, async () => {
      const u = await world.user({ acl: { orders: 'R', analytics: 'R', users: 'R', roles: 'R' } });
      const before = new Map(services().map((s) => [s.name, refusals(s.name).length]));
      const load = traffic(u.token);
      await load.started();
      server.publish(bundles[c.bundle]);
      await until(`${c.bundle} refused everywhere`, () => services().every((s) => refusals(s.name).length > before.get(s.name)!), POLL_SECONDS * 1000 + 3000);
      for (const loop of await load.stop()) expect({ loop: loop.name, phases: phases(loop.outcomes) }).toEqual({ loop: loop.name, phases: underRevB(loop.name) });
      for (const s of services()) {
        expect(s.active.revision).toBe('rev-b');
        const last = refusals(s.name).at(-1)!;
        expect(last.kind === 'refused' && last.error.reason).toBe(c.reason);
        expect(last.kind === 'refused' && last.error.message).toMatch(c.message);
      }
      const metrics = await (await fetch(new URL('/metrics', gwB.url))).text();
      expect(metrics).toMatch(new RegExp(`gateway_policy_bundle_refused_total\\{reason="${c.reason}"\\} [1-9]`));
      const cpMetrics = await (await fetch(new URL('/metrics', cp.url))).text();
      expect(cpMetrics).toMatch(new RegExp(`control_plane_policy_bundle_refused_total\\{reason="${c.reason}"\\} [1-9]`));
      await until('a status report with the error', () => server.reports.some((r) => bundleOf(r).message !== undefined && c.message.test(String(bundleOf(r).message))));
    });
  }

  it('refuses a bundle server that hangs or is down; the last good bundle keeps deciding', async () => {
    const u = await world.user({ acl: { orders: 'R', analytics: 'R', users: 'R', roles: 'R' } });
    const before = new Map(services().map((s) => [s.name, refusals(s.name).filter((e) => e.kind === 'refused' && e.error.reason === 'download').length]));
    const downloads = (name: string) => refusals(name).filter((e) => e.kind === 'refused' && e.error.reason === 'download').length;
    const load = traffic(u.token);
    await load.started();
    server.hang = true;
    // The long-polling gateway first sits out its held request (2 s), then the hanging one (2 s + 1 s).
    await until('timeouts refused everywhere', () => services().every((s) => downloads(s.name) > before.get(s.name)!), 9000);
    server.hang = false;
    await server.stop();
    const afterHang = new Map(services().map((s) => [s.name, downloads(s.name)]));
    await until('a server that is down refused everywhere', () => services().every((s) => downloads(s.name) > afterHang.get(s.name)!), 5000);
    for (const loop of await load.stop()) expect({ loop: loop.name, phases: phases(loop.outcomes) }).toEqual({ loop: loop.name, phases: underRevB(loop.name) });
    for (const s of services()) expect(s.active.revision).toBe('rev-b');
    expect(refusals('gateway B').at(-1)).toMatchObject({ error: { reason: 'download', message: expect.stringMatching(/unreachable/) } });
  });

  it('restarts without the bundle server on the persisted bundle, and counts a shadow bundle\'s disagreements', async () => {
    // The server is down (previous test). Gateway B restarts on what it persisted: rev-b, verified again.
    await gwB.close();
    const shadowDir = join(work, 'shadow');
    await mkdir(shadowDir);
    await unpack(bundles.a, shadowDir);
    const shadowEvents: Record<string, any>[] = [];
    gwB = await startGateway({
      routes: 'test/gateway/routes.yaml',
      upstreams: { 'http://upstream.test:1': upstream.url },
      env: { CONTROL_PLANE_URL: cp.url, ...bundleEnv('/plain/bundle.tar.gz', join(work, 'cache-b')), POLICY_SHADOW_DIR: shadowDir, LOG_LEVEL: 'info' },
      deps: {
        // Decision events go to the destination below; the service log (info, for the stdout sink) nowhere.
        logDestination: new Writable({ write: (_chunk, _enc, done) => done() }),
        decisionLog: {
          destination: new Writable({
            write(chunk: Buffer, _enc, done) {
              for (const line of chunk.toString().split('\n').filter(Boolean)) {
                const e = JSON.parse(line);
                if (e.shadow) shadowEvents.push(e);
              }
              done();
            },
          }),
          queue: { flushMs: 5 },
        },
      },
    });
    expect(gwB.deps.policy.revision).toBe('rev-b');
    expect(gwB.deps.policy.status.source).toBe('cache');
    const u = await world.user({ acl: { orders: 'R', analytics: 'R' } });
    const api = client(gwB.url, u.token);
    expect((await api.get('/analytics/daily')).body.code).toBe('INSUFFICIENT_PERMISSION');
    expect((await api.get('/orders')).status).toBe(200);

    // rev-a in the shadow allows analytics: 3 disagreements, the orders request agrees; nothing enforced.
    for (let i = 0; i < 2; i++) expect((await api.get('/analytics/daily')).status).toBe(403);
    await until('3 shadow disagreements logged', () => shadowEvents.length >= 3);
    expect(shadowEvents[0]).toMatchObject({
      result: { allow: false }, bundles: { authz: { revision: 'rev-b' } },
      shadow: { decision_id: expect.any(String), bundles: { authz: { revision: 'rev-a' } }, result: { allow: true } },
      request: { method: 'GET', path: '/analytics/daily' },
    });
    const metrics = await (await fetch(new URL('/metrics', gwB.url))).text();
    expect(metrics).toContain('gateway_policy_shadow_decisions_total{result="disagree"} 3');
    expect(metrics).toMatch(/gateway_policy_shadow_decisions_total\{result="agree"\} [1-9]/);
  });

  it('follows a shadow bundle on its own bundle server: a new candidate changes the shadow, never the enforced bundle', async () => {
    const shadowServer = new BundleServer();
    shadowServer.token = TOKEN;
    shadowServer.publish(bundles.a);
    await shadowServer.start();
    const gwC = await startGateway({
      routes: 'test/gateway/routes.yaml',
      upstreams: { 'http://upstream.test:1': upstream.url },
      // The bundle server is down: gateway C starts on gateway B's persisted rev-b. The shadow's server
      // is another origin, so it gets a token of its own (POLICY_BUNDLE_TOKEN is not sent there).
      env: {
        CONTROL_PLANE_URL: cp.url, ...bundleEnv('/plain/bundle.tar.gz', join(work, 'cache-b')),
        POLICY_SHADOW_BUNDLE_URL: `${shadowServer.url}/lp/shadow.tar.gz`, POLICY_SHADOW_BUNDLE_TOKEN: TOKEN,
      },
      deps: { logDestination: new Writable({ write: (_chunk, _enc, done) => done() }) },
    });
    try {
      const u = await world.user({ acl: { orders: 'R', analytics: 'R' } });
      const api = client(gwC.url, u.token);
      const count = async (result: string) =>
        Number(new RegExp(`gateway_policy_shadow_decisions_total\\{result="${result}"\\} (\\d+)`).exec(await (await fetch(new URL('/metrics', gwC.url))).text())?.[1]);
      expect(gwC.deps.shadow!.active!.revision).toBe('rev-a');
      expect((await api.get('/analytics/daily')).status).toBe(403);
      expect(await waitFor(() => count('disagree'), (n) => n === 1)).toBe(1);
      // The security team moves the candidate to rev-b: the shadow now agrees; enforcement never changed.
      shadowServer.publish(bundles.b);
      await until('shadow on rev-b', () => gwC.deps.shadow!.active?.revision === 'rev-b');
      expect((await api.get('/analytics/daily')).status).toBe(403);
      expect(await waitFor(() => count('agree'), (n) => n >= 1)).toBeGreaterThanOrEqual(1);
      expect(await count('disagree')).toBe(1);
      expect(gwC.deps.policy.revision).toBe('rev-b');
    } finally {
      await gwC.close();
      await shadowServer.stop();
    }
  });

  it('does not trust a persisted bundle that no longer verifies: without the server such a service does not start', async () => {
    const cache = join(work, 'cache-tampered');
    const folder = bundleCacheFolder(cache, `${server.url}/plain/bundle.tar.gz`);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'bundle.tar.gz'), bundles.tampered);
    await writeFile(join(folder, 'bundle.json'), JSON.stringify({ etag: '"x"' }));
    await expect(startGateway({
      routes: 'test/gateway/routes.yaml',
      env: { CONTROL_PLANE_URL: cp.url, ...bundleEnv('/plain/bundle.tar.gz', cache) },
      deps: { logDestination: new Writable({ write: (_chunk, _enc, done) => done() }) },
    })).rejects.toThrow(/unreachable/);
  });
});

const bundleOf = (r: Record<string, unknown>) => ((r.bundles as Record<string, Record<string, unknown>> | undefined)?.authz ?? {});
const activeRevision = (r: Record<string, unknown>) => bundleOf(r).active_revision;
