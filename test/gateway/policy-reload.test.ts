// Policy hot reload: a new bundle swapped into POLICY_DIR (by rename, as the
// build does) changes decisions while requests keep flowing, without one
// failed request; a corrupt bundle is refused and the last good one stays; a
// gateway never starts on a corrupt bundle.
import { cp as copy, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayDeps } from '../../gateway/create-deps.ts';
import type { ReloadResult } from '../../gateway/policy/policy-holder.ts';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane.ts';
import { testGatewayConfig } from '../support/env.ts';
import { startGateway, type RunningGateway } from '../support/gateway.ts';
import { client } from '../support/http.ts';
import { buildBundle, policySources, swapFolder } from '../support/policy-bundle.ts';
import { startUpstream, type RunningUpstream } from '../support/upstream.ts';
import { gatewayWorld, type GatewayWorld } from '../support/worlds/gateway.ts';

let cp: RunningControlPlane;
let upstream: RunningUpstream;
let gw: RunningGateway;
let world: GatewayWorld;
let work: string;
let policyDir: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iam-reload-'));
  policyDir = join(work, 'policy');
  await copy('build/policy', policyDir, { recursive: true });
  cp = await startControlPlane();
  upstream = await startUpstream();
  gw = await startGateway({
    routes: 'test/gateway/routes.yaml',
    upstreams: { 'http://upstream.test:1': upstream.url },
    env: { CONTROL_PLANE_URL: cp.url, POLICY_DIR: policyDir },
    deps: { policyDebounceMs: 50 },
  });
  world = await gatewayWorld(cp.deps);
});

afterAll(async () => {
  await gw?.close();
  await upstream?.close();
  await cp?.close();
  await rm(work, { recursive: true, force: true });
});

/** The next reload that did something (a watcher may also report an 'unchanged' revision, e.g. for the old folder's removal). */
const nextReload = () =>
  new Promise<ReloadResult>((resolve) => {
    const off = gw.deps.policy.onReload((r) => {
      if (r.outcome === 'unchanged') return;
      off();
      resolve(r);
    });
  });

describe('policy hot reload', () => {
  it('swaps in a new bundle while requests flow, without a failed request', async () => {
    const u = await world.user({ acl: { orders: 'R', analytics: 'R' } });
    const api = client(gw.url, u.token);
    const before = gw.deps.policy.revision;
    expect((await api.get('/analytics/daily')).status).toBe(200);

    // Security changed its mind about analytics: a Rego edit, built like the build does.
    const src = await policySources({
      'authz/zz_analytics_off.rego': 'package authz\n\nrequest_reasons contains "INSUFFICIENT_PERMISSION" if request.module == "analytics"\n',
    });
    const revision = await buildBundle(src, join(work, 'policy.next'), 'analytics-off-1');
    await rm(src, { recursive: true, force: true });

    // Requests keep flowing (4 concurrent loops) while the bundle is swapped.
    const statuses: number[][] = [[], [], [], []];
    let stop = false;
    const loops = statuses.map(async (seen) => {
      while (!stop) seen.push((await api.get('/analytics/daily')).status);
    });
    const reloaded = nextReload();
    await swapFolder(join(work, 'policy.next'), policyDir);
    const result = await reloaded;
    // A few more requests after the swap, then stop.
    const after = statuses.map((s) => s.length);
    while (statuses.some((s, i) => s.length < after[i]! + 3)) await new Promise((r) => setImmediate(r));
    stop = true;
    await Promise.all(loops);

    expect(result).toEqual({ outcome: 'swapped', revision });
    expect(gw.deps.policy.revision).not.toBe(before);
    for (const seen of statuses) {
      expect(seen.every((s) => s === 200 || s === 403)).toBe(true);
      // Each loop is sequential: once the new bundle decided, the old one never did again.
      expect(seen.slice(seen.indexOf(403)).every((s) => s === 403)).toBe(true);
      expect(seen.at(-1)).toBe(403);
    }
    const total = statuses.flat();
    console.log(`policy swap under load: ${total.length} requests, ${total.filter((s) => s === 200).length} allowed by the old bundle, ` +
      `${total.filter((s) => s === 403).length} denied by the new one, 0 failed`);

    const denied = await api.get('/analytics/daily');
    expect(denied.body.code).toBe('INSUFFICIENT_PERMISSION');
    expect((await api.get('/orders')).status).toBe(200);
    expect((await client(gw.url).get('/readyz')).body.policy).toBe(revision);
  });

  it('refuses a corrupt bundle and keeps deciding with the last good one', async () => {
    const u = await world.user({ acl: { orders: 'R', analytics: 'R' } });
    const api = client(gw.url, u.token);
    const good = gw.deps.policy.revision;
    const next = join(work, 'policy.next');
    await mkdir(next, { recursive: true });
    await writeFile(join(next, 'policy.wasm'), Buffer.from('this is not WebAssembly'));
    await copy(join(policyDir, 'data.json'), join(next, 'data.json'));
    const manifest = JSON.parse(await readFile(join(policyDir, '.manifest'), 'utf8'));
    await writeFile(join(next, '.manifest'), JSON.stringify({ ...manifest, revision: 'corrupt-1' }));

    const reloaded = nextReload();
    await swapFolder(next, policyDir);
    const result = await reloaded;
    expect(result.outcome).toBe('refused');
    expect(result.revision).toBe(good);
    expect(result.error).toMatch(/does not load/);
    expect(gw.deps.policy.revision).toBe(good);
    expect((await api.get('/orders')).status).toBe(200);
    expect((await api.get('/analytics/daily')).body.code).toBe('INSUFFICIENT_PERMISSION');

    const metrics = await (await fetch(new URL('/metrics', gw.url))).text();
    expect(metrics).toContain('gateway_policy_reloads_total{outcome="refused"} 1');
    expect(metrics).toContain('gateway_policy_reloads_total{outcome="swapped"} 1');
  });

  it('refuses to start on a corrupt bundle', async () => {
    // policyDir now holds the corrupt bundle of the previous test.
    await expect(createGatewayDeps(testGatewayConfig({ POLICY_DIR: policyDir, GATEWAY_ROUTES: 'test/gateway/routes.yaml' }))).rejects.toThrow(
      /does not load/,
    );
  });
});
