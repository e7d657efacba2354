// The shadow rollout (gateway/policy/shadow.ts) alone, with a stand-in
// decision log: what counts as a disagreement (the replay's comparison, scopes
// included), a candidate refused, which token the shadow's bundle server
// gets, and a shadow server that is down when the gateway starts. The shadow
// through a running gateway: bundle-distribution.test.ts.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PolicyEngine } from '../../core/policy/engine.ts';
import type { DecisionResult } from '../../core/policy/types.ts';
import type { GatewayConfig } from '../../gateway/config.ts';
import type { DecisionRecord } from '../../gateway/decision-log/event.ts';
import type { DecisionLog } from '../../gateway/decision-log/queue.ts';
import { GatewayMetrics } from '../../gateway/ops/metrics.ts';
import type { Decision } from '../../gateway/pipeline/decide.ts';
import { decisionInput } from '../../gateway/policy/decider.ts';
import { ShadowPolicy } from '../../gateway/policy/shadow.ts';
import { freePort } from '../support/redis-server.ts';
import { BundleServer } from '../support/bundles/bundle-server.ts';
import { rework } from '../support/bundles/signed-bundles.ts';

const log = pino({ level: 'silent' });
let engine: PolicyEngine;
/** The build's own tarball (unsigned): the candidate these tests serve. */
let bundle: Buffer;
const cleanup: (() => Promise<void>)[] = [];

beforeAll(async () => {
  engine = await PolicyEngine.load('build/policy');
  bundle = await readFile('build/policy/bundle.tar.gz');
});

afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A shadow as the gateway opens it, with its metrics and the decision events it recorded. */
async function openShadow(env: Partial<GatewayConfig>) {
  const config = {
    POLICY_SHADOW_SAMPLE: 1, POLICY_BUNDLE_POLL_SECONDS: 0.2, POLICY_BUNDLE_LONG_POLL_SECONDS: 1, POLICY_BUNDLE_TIMEOUT_MS: 1000, ...env,
  } as GatewayConfig;
  const recorded: DecisionRecord[] = [];
  const decisions = { wants: () => true, record: (r: DecisionRecord) => recorded.push(r) } as unknown as DecisionLog;
  const metrics = new GatewayMetrics();
  const shadow = await ShadowPolicy.open(config, decisions, log, metrics);
  cleanup.push(async () => shadow?.close());
  const metric = async (series: string) => {
    const line = (await metrics.registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? null : Number(line.slice(series.length + 1));
  };
  return { shadow: shadow!, recorded, metric };
}

async function serve(setup: (s: BundleServer) => void = () => {}, port = 0): Promise<BundleServer> {
  const server = new BundleServer();
  setup(server);
  server.publish(bundle);
  await server.start(port);
  cleanup.push(() => server.stop());
  return server;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const started = performance.now();
  while (!(await ok())) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A tenant user's read on orders, decided by `result` (the enforced answer). */
function decision(result: DecisionResult | null): Decision {
  const now = Date.now();
  const d = {
    claims: { ctx_type: 'TENANT', ctx_id: 't' },
    route: { module: 'orders' },
    action: 'read',
    principal: {
      user: { id: 'u1', tenantId: 't', type: 'TENANT', resellerId: null, merchantId: null, roleId: 'r', status: 'ACTIVE', merchantsAccess: [], merchantResellers: {}, productIds: [], gatewayRefIds: [] },
      role: { id: 'r', tenantId: 't', enabled: true, acl: { orders: 'RW' } },
      session: { id: 's', userId: 'u1', active: true, expiresAt: now + 60_000 },
      merchant: null, named: '', product: '', gatewayRef: '', facts: null,
    },
    now, engine, fromMemo: false,
  } as unknown as Decision;
  d.result = result ?? engine.decide(decisionInput(d));
  return d;
}

describe('shadow rollout', () => {
  it('counts a scope the upstream would receive differently as a disagreement, as the replay does', async () => {
    const { shadow, recorded, metric } = await openShadow({ POLICY_SHADOW_DIR: 'build/policy' });
    const truth = decision(null).result;
    expect(truth).toMatchObject({ allow: true, product_scope: '*' });
    shadow.offer(decision(truth), 'GET', '/orders', 'same');
    // The active bundle had scoped the caller to product p1; the candidate would give every product.
    shadow.offer(decision({ ...truth, product_scope: 'p1' }), 'GET', '/orders', 'scoped');
    await until('both compared', async () => (await metric('gateway_policy_shadow_decisions_total{result="agree"}'))! + (await metric('gateway_policy_shadow_decisions_total{result="disagree"}'))! === 2);
    expect(await metric('gateway_policy_shadow_decisions_total{result="disagree"}')).toBe(1);
    expect(recorded).toMatchObject([{ shadow: { decisionId: 'scoped', result: { product_scope: '*' } }, result: { product_scope: 'p1' } }]);
  });

  it('counts the candidates it refuses in /metrics; the last good candidate stays', async () => {
    const server = await serve();
    const { shadow, metric } = await openShadow({ POLICY_SHADOW_BUNDLE_URL: `${server.url}/plain/shadow.tar.gz` });
    expect(shadow.active?.revision).toBe(engine.revision);
    expect(await metric('gateway_policy_shadow_bundle_refused_total{reason="load"}')).toBe(0);
    server.publish(await rework(bundle, (dir) => writeFile(join(dir, 'policy.wasm'), 'not WebAssembly')));
    await until('the corrupt candidate refused', async () => (await metric('gateway_policy_shadow_bundle_refused_total{reason="load"}')) === 1);
    expect(shadow.active?.revision).toBe(engine.revision);
  });

  it('sends POLICY_BUNDLE_TOKEN only to a shadow server on POLICY_BUNDLE_URL\'s origin; another gets POLICY_SHADOW_BUNDLE_TOKEN or none', async () => {
    const server = await serve();
    const elsewhere = `http://127.0.0.1:${await freePort()}/bundles/authz.tar.gz`;
    let n = 0;
    const tokenSent = async (env: Partial<GatewayConfig>) => {
      // A path of its own per shadow: the shadows opened before keep polling the same server.
      const path = `/plain/shadow-${++n}.tar.gz`;
      const { shadow } = await openShadow({ POLICY_SHADOW_BUNDLE_URL: `${server.url}${path}`, POLICY_BUNDLE_TOKEN: 'production-token', ...env });
      expect(shadow.active).not.toBeNull();
      return server.requests.find((r) => r.path === path)!.authorization;
    };
    expect(await tokenSent({ POLICY_BUNDLE_URL: elsewhere })).toBeUndefined();
    expect(await tokenSent({ POLICY_BUNDLE_URL: elsewhere, POLICY_SHADOW_BUNDLE_TOKEN: 'shadow-token' })).toBe('Bearer shadow-token');
    expect(await tokenSent({ POLICY_BUNDLE_URL: `${server.url}/plain/bundle.tar.gz` })).toBe('Bearer production-token');
  });

  it('keeps asking a shadow server that is down when the gateway starts, and shadows once it answers', async () => {
    const port = await freePort();
    const { shadow, metric } = await openShadow({ POLICY_SHADOW_BUNDLE_URL: `http://127.0.0.1:${port}/plain/shadow.tar.gz` });
    expect(shadow).not.toBeNull();
    expect(shadow.active).toBeNull();
    expect(await metric('gateway_policy_shadow_bundle_refused_total{reason="download"}')).toBe(1);
    await serve(() => {}, port);
    await until('the shadow loaded', () => shadow.active?.revision === engine.revision);
    expect(await metric('gateway_policy_shadow_bundle_refused_total{reason="download"}')).toBeGreaterThanOrEqual(1);
  });
});
