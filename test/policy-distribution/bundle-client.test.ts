// The bundle client (core/policy/bundle/client.ts) alone against the test
// bundle server: what the fleet test (bundle-distribution.test.ts) cannot
// easily arrange — a cache folder the service cannot write, a server without
// ETags, a long-polling server that answers 304 at once. Bundles are built by
// the pinned OPA CLI (signed-bundles.ts), unsigned: signatures are not what
// these tests are about, except where one is signed by `opa build -b
// --signing-alg` with an ES256 or EdDSA key (the fleet test signs RS256).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ActivePolicy, bundleDetails, type BundleEvent } from '../../core/policy/bundle/active-policy.ts';
import { BundleClient, type BundleClientOptions } from '../../core/policy/bundle/client.ts';
import { registerBundleMetrics } from '../../core/policy/bundle/metrics.ts';
import { verificationKey } from '../../core/policy/bundle/signature.ts';
import { readTarball } from '../../core/policy/bundle/tarball.ts';
import { buildBundle, policySources } from '../support/policy-bundle.ts';
import { BundleServer } from '../support/bundles/bundle-server.ts';
import { opaBundle, rework, signingKey } from '../support/bundles/signed-bundles.ts';

let work: string;
/** A copy of policies/ (test/support/policy-bundle.ts). */
let sources: string;
let revA: Buffer;
const log = pino({ level: 'silent' });
const cleanup: (() => Promise<void>)[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iam-bundle-client-'));
  sources = await policySources();
  revA = await opaBundle(sources, 'rev-a', null);
}, 120_000);

afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  await rm(sources, { recursive: true, force: true });
});

async function serve(setup: (s: BundleServer) => void = () => {}, bundle = revA): Promise<BundleServer> {
  const server = new BundleServer();
  setup(server);
  server.publish(bundle);
  await server.start();
  cleanup.push(() => server.stop());
  return server;
}

/** A client booted and following `url`, with its ActivePolicy and a metrics registry. */
async function follow(url: string, o: Partial<BundleClientOptions> = {}) {
  const client = new BundleClient({
    url, token: null, key: null, pollSeconds: 0.1, longPollSeconds: 1, timeoutMs: 1000, cacheDir: null, log, ...o,
  });
  const boot = await client.boot();
  const active = new ActivePolicy(boot.engine, boot.source);
  const registry = new Registry();
  registerBundleMetrics(registry, 'test', active);
  client.start(active);
  cleanup.push(async () => {
    await client.close();
    active.close();
  });
  return { client, active, registry };
}

/** The value of one series of `registry` (name and labels, as exposed), or null. */
async function metric(registry: Registry, series: string): Promise<number | null> {
  const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

async function until(what: string, ok: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = performance.now();
  while (!ok()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function events(active: ActivePolicy): BundleEvent[] {
  const seen: BundleEvent[] = [];
  active.on((e) => seen.push(e));
  return seen;
}

describe('bundle client', () => {
  it('says when the bundle in force cannot be persisted: /readyz persistError and a counter, not only a log line', async () => {
    const server = await serve();
    // A folder that cannot be created: its parent is a file (as /app/build is root's in the image).
    const parent = join(work, 'not-a-folder');
    await writeFile(parent, '');
    const { active, registry } = await follow(`${server.url}/plain/bundle.tar.gz`, { cacheDir: join(parent, 'cache') });
    expect(bundleDetails(active.status).persistError).toMatchObject({ message: expect.stringMatching(/ENOTDIR|EEXIST/) });
    expect(await metric(registry, 'test_policy_bundle_persist_failures_total')).toBe(1);
  });

  it('does not activate again the bytes in force, nor refuse again the bytes refused, when a server without ETags sends them on every poll', async () => {
    const server = await serve((s) => (s.etags = false));
    const { active, registry } = await follow(`${server.url}/plain/bundle.tar.gz`);
    const activatedAt = active.status.activatedAt;
    const seen = events(active);
    await until('5 polls', () => server.requests.length >= 5);
    expect(server.requests.every((r) => r.status === 200 && r.ifNoneMatch === undefined)).toBe(true);
    expect(seen).toEqual([]);
    expect(active.status.activatedAt).toBe(activatedAt);
    expect(await metric(registry, 'test_policy_bundle_activations_total')).toBe(1);

    // The same revision repacked (other bytes): a new bundle all the same, activated once.
    const repacked = await rework(revA, async () => {});
    expect(repacked.equals(revA)).toBe(false);
    server.publish(repacked);
    await until('the repacked bundle activated', () => seen.length >= 1);
    let polls = server.requests.length;
    await until('3 more polls', () => server.requests.length >= polls + 3);
    expect(seen).toMatchObject([{ kind: 'activated', revision: 'rev-a' }]);

    // A bad bundle served again and again is refused once.
    server.publish(await rework(revA, (dir) => writeFile(join(dir, 'policy.wasm'), 'not WebAssembly')));
    await until('the bad bundle refused', () => seen.length >= 2);
    polls = server.requests.length;
    await until('3 more polls', () => server.requests.length >= polls + 3);
    expect(seen.map((e) => e.kind)).toEqual(['activated', 'refused']);
    expect(await metric(registry, 'test_policy_bundle_refused_total{reason="load"}')).toBe(1);
  });

  it('does not busy-loop on a long-polling server that answers 304 at once: it is then polled at the interval', async () => {
    const server = await serve((s) => (s.holdLongPolls = false));
    await follow(`${server.url}/lp/bundle.tar.gz`, { pollSeconds: 0.4, longPollSeconds: 1 });
    await new Promise((r) => setTimeout(r, 1200));
    // The boot download, then one request per 0.2–0.4 s: at most 7 (before, hundreds).
    const lp = server.requests.filter((r) => r.path.startsWith('/lp/'));
    expect(lp.length).toBeGreaterThanOrEqual(3);
    expect(lp.length).toBeLessThanOrEqual(7);
    expect(lp.slice(1).every((r) => r.status === 304 && r.prefer === 'wait=1')).toBe(true);
  });

  it('asks a long-polling server again at once after it held a request', async () => {
    const server = await serve();
    await follow(`${server.url}/lp/bundle.tar.gz`, { pollSeconds: 30, longPollSeconds: 1 });
    // Each 304 comes after the 1 s wait; the next request goes at once, not 15–30 s later.
    await until('three held long polls', () => server.requests.filter((r) => r.status === 304).length >= 3, 6000);
  });

  it('is tested on bundles built as the real build builds them: the same policy.wasm as the build\'s flags give', async () => {
    // signed-bundles.ts must pass scripts/build-policy.sh's flags (as test/support/policy-bundle.ts does),
    // --ignore examples included, or these tests exercise another policy than the one shipped.
    const out = join(work, 'built');
    await buildBundle(sources, out, 'rev-a');
    expect(readTarball(revA).get('policy.wasm')!.equals(await readFile(join(out, 'policy.wasm')))).toBe(true);
  });

  for (const alg of ['ES256', 'EdDSA'] as const) {
    it(`follows a bundle signed by opa build -b --signing-alg ${alg}, and refuses it tampered`, async () => {
      const key = await signingKey(work, `security-team-${alg}`, alg);
      const signed = await opaBundle(sources, `rev-${alg}`, key);
      const server = await serve(() => {}, signed);
      const { active } = await follow(`${server.url}/plain/bundle.tar.gz`, { key: verificationKey(key.publicPem) });
      expect(active.revision).toBe(`rev-${alg}`);
      const seen = events(active);
      // Data edited after signing: the signature no longer covers it.
      server.publish(await rework(signed, (dir) => writeFile(join(dir, 'data.json'), '{"tampered": true}')));
      await until('the tampered bundle refused', () => seen.length >= 1);
      expect(seen[0]).toMatchObject({ kind: 'refused', error: { reason: 'verification', message: expect.stringMatching(/data\.json: digest mismatch/) } });
      expect(active.revision).toBe(`rev-${alg}`);
    });
  }

  it('keeps each bundle URL\'s last good bundle apart in a shared cache folder: a service never starts on another URL\'s bundle', async () => {
    const server = await serve();
    const cacheDir = join(work, 'shared-cache');
    const one = `${server.url}/plain/one.tar.gz`;
    const two = `${server.url}/plain/two.tar.gz`;
    await follow(one, { cacheDir });
    await server.stop();
    // The server is down: the service of URL one restarts on its own bundle; URL two has none and does not start.
    expect((await follow(one, { cacheDir })).active.status.source).toBe('cache');
    await expect(follow(two, { cacheDir })).rejects.toThrow(/unreachable/);
  });
});
