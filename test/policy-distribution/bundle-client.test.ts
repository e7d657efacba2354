// The bundle client (core/policy/bundle/client.ts) alone against the test
// bundle server: what the fleet test (bundle-distribution.test.ts) cannot
// easily arrange — a cache folder the service cannot write, a server without
// ETags, a long-polling server that answers 304 at once. Bundles are built by
// the pinned OPA CLI (signed-bundles.ts), unsigned: signatures are not what
// these tests are about.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ActivePolicy, bundleDetails } from '../../core/policy/bundle/active-policy.ts';
import { BundleClient, type BundleClientOptions } from '../../core/policy/bundle/client.ts';
import { registerBundleMetrics } from '../../core/policy/bundle/metrics.ts';
import { policySources } from '../support/policy-bundle.ts';
import { BundleServer } from './bundle-server.ts';
import { opaBundle } from './signed-bundles.ts';

let work: string;
let revA: Buffer;
const log = pino({ level: 'silent' });
const cleanup: (() => Promise<void>)[] = [];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iam-bundle-client-'));
  const src = await policySources();
  revA = await opaBundle(src, 'rev-a', null);
  await rm(src, { recursive: true, force: true });
}, 120_000);

afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function serve(setup: (s: BundleServer) => void = () => {}): Promise<BundleServer> {
  const server = new BundleServer();
  setup(server);
  server.publish(revA);
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
});
