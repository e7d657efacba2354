// Corrupt policy bundles, against the real gateway process (ASVS 4.0.3
// V4.1.5 access controls fail securely, CWE-636; docs/http.md#gateway-answers
// "a bad one is refused and the last good one stays"). At boot every kind of
// corruption stops `gateway/server.ts` with exit code 1 before it listens; at
// reload (folder watch and SIGHUP) each is refused and the last good bundle
// keeps deciding, allows and denies alike. test/gateway/policy-reload.test.ts
// covers the in-process swap under load; here the process itself is judged.
import { cp as copy, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane.ts';
import { client } from '../support/http.ts';
import { buildBundle, swapFolder } from '../support/policy-bundle.ts';
import { freePort } from '../support/redis-server.ts';
import { startUpstream, type RunningUpstream } from '../support/upstream.ts';
import { gatewayWorld, type GatewayWorld } from '../support/worlds/gateway.ts';
import { routeTable, spawnGateway, startGatewayProcess, type GatewayProcess } from '../support/faults/gateway-process.ts';
import { writeScenario } from '../support/faults/summary.ts';

let work: string;
let cp: RunningControlPlane;
let upstream: RunningUpstream;
let world: GatewayWorld;
let routes: Awaited<ReturnType<typeof routeTable>>;

/** Every entrypoint answers "allow": a policy that must never serve. */
const ALLOW_ALL = `package authz

decision := {"allow": true, "reasons": []}

admin := {"allow": true, "reasons": []}

role_check := {"violations": []}
`;

interface Corruption {
  name: string;
  /** Turns a copy of the good bundle into the bad one. */
  make: (dir: string) => Promise<void>;
  /** What the refusal says (boot: stderr; reload: the error log line). */
  says: RegExp;
}

async function setRevision(dir: string, revision: string) {
  const manifest = JSON.parse(await readFile(join(dir, '.manifest'), 'utf8'));
  await writeFile(join(dir, '.manifest'), JSON.stringify({ ...manifest, revision }));
}

let allowAllDir: string;

const corruptions: Corruption[] = [
  { name: 'policy.wasm is not WebAssembly', make: (d) => writeFile(join(d, 'policy.wasm'), 'not WebAssembly'), says: /does not load/ },
  {
    name: 'policy.wasm truncated',
    make: async (d) => writeFile(join(d, 'policy.wasm'), (await readFile(join(d, 'policy.wasm'))).subarray(0, 4096)),
    says: /does not load/,
  },
  { name: 'data.json is not JSON', make: (d) => writeFile(join(d, 'data.json'), '{"authz_config": '), says: /cannot read policy bundle.*JSON/ },
  { name: 'policy.wasm missing', make: (d) => rm(join(d, 'policy.wasm')), says: /cannot read policy bundle.*ENOENT/ },
  {
    name: 'manifest without the entrypoints',
    make: async (d) => {
      const manifest = JSON.parse(await readFile(join(d, '.manifest'), 'utf8'));
      await writeFile(join(d, '.manifest'), JSON.stringify({ ...manifest, wasm: [] }));
    },
    says: /lacks entrypoint authz\/decision/,
  },
  { name: 'a policy that allows everything', make: (d) => copy(allowAllDir, d, { recursive: true }), says: /failed its self-test/ },
];

/** A copy of the good bundle with one corruption and its own revision, in a fresh folder. */
async function corruptBundle(c: Corruption, i: number): Promise<string> {
  const dir = join(work, `bad-${i}`);
  await copy('build/policy', dir, { recursive: true });
  await c.make(dir);
  await setRevision(dir, `corrupt-${i}`).catch(() => undefined);
  return dir;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iam-bundles-'));
  const src = await mkdtemp(join(tmpdir(), 'iam-allow-all-'));
  await writeFile(join(src, 'allow_all.rego'), ALLOW_ALL);
  allowAllDir = join(work, 'allow-all');
  await buildBundle(src, allowAllDir, 'allow-all');
  await rm(src, { recursive: true, force: true });
  cp = await startControlPlane();
  upstream = await startUpstream();
  world = await gatewayWorld(cp.deps);
  routes = await routeTable(upstream.url);
});

afterAll(async () => {
  await upstream?.close();
  await cp?.close();
  await routes?.remove();
  await rm(work, { recursive: true, force: true });
});

describe('a corrupt bundle at boot', () => {
  it('stops the gateway process with exit code 1 before it listens, naming the fault', async () => {
    const results = await Promise.all(
      corruptions.map(async (c, i) => {
        const dir = await corruptBundle(c, i);
        const port = await freePort();
        const { child, stderr } = spawnGateway({ POLICY_DIR: dir, GATEWAY_ROUTES: routes.file, CONTROL_PLANE_URL: cp.url, GATEWAY_PORT: String(port) });
        const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
        const listened = await fetch(`http://127.0.0.1:${port}/healthz`).then(() => true, () => false);
        return { name: c.name, code, listened, named: c.says.test(stderr()) };
      }),
    );
    await writeScenario({
      scenario: 'policy-bundle-boot', faultsInjected: corruptions.map((c) => c.name), requests: 0, allowed: 0, denied: 0, revocations: 0,
      wrongfulAllows: 0, wrongfulDenies: 0, byStatus: {}, results,
    });
    for (const r of results) expect(r, r.name).toEqual({ name: r.name, code: 1, listened: false, named: true });
  });
});

describe('a corrupt bundle at reload', () => {
  let gw: GatewayProcess;
  let policyDir: string;

  beforeAll(async () => {
    policyDir = join(work, 'live', 'policy');
    await copy('build/policy', policyDir, { recursive: true });
    await setRevision(policyDir, 'good-1');
    gw = await startGatewayProcess({ POLICY_DIR: policyDir, GATEWAY_ROUTES: routes.file, CONTROL_PLANE_URL: cp.url, LOG_LEVEL: 'info' });
  });

  afterAll(async () => {
    await gw?.stop();
  });

  it('is refused, by the folder watch and by SIGHUP alike, and the last good bundle keeps allowing and denying', async () => {
    const writer = await world.user({ acl: { orders: 'RW' } });
    const reader = await world.user({ acl: { orders: 'R' } });
    const m = { 'x-merchant-id': world.m.direct };
    const decisions = async () => [
      (await client(gw.url, writer.token).post('/orders', '{}', m)).status,
      (await client(gw.url, reader.token).post('/orders', '{}', m)).status,
    ];
    expect(await decisions()).toEqual([200, 403]);
    const refusals: { name: string; revision: string; decisions: number[] }[] = [];

    for (const [i, c] of corruptions.entries()) {
      const refused = gw.nextLog(new RegExp(`bundle refused.*${c.says.source}|${c.says.source}.*bundle refused`));
      await swapFolder(await corruptBundle(c, 100 + i), policyDir);
      if (i % 2 === 1) gw.hangUp();
      await refused;
      const ready = await client(gw.url).get('/readyz');
      refusals.push({ name: c.name, revision: ready.body.policy, decisions: await decisions() });
    }
    // A good bundle is still taken: the refusals did not wedge the reloader.
    const good2 = join(work, 'good-2');
    await copy('build/policy', good2, { recursive: true });
    await setRevision(good2, 'good-2');
    const swapped = gw.nextLog(/bundle swapped/);
    await swapFolder(good2, policyDir);
    await swapped;
    const after = await client(gw.url).get('/readyz');

    await writeScenario({
      scenario: 'policy-bundle-reload', faultsInjected: corruptions.map((c) => c.name), requests: refusals.length * 2 + 2, allowed: refusals.length + 1,
      denied: refusals.length + 1, revocations: 0, wrongfulAllows: refusals.filter((r) => r.decisions[1] !== 403).length, wrongfulDenies: 0, byStatus: {}, refusals,
    });
    for (const r of refusals) expect(r, r.name).toEqual({ name: r.name, revision: 'good-1', decisions: [200, 403] });
    expect(after.body.policy).toBe('good-2');
    expect(await decisions()).toEqual([200, 403]);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(Number(/gateway_policy_reloads_total\{outcome="refused"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(corruptions.length);
  });
});
