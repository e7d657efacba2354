// Rules on the request line through a route's policyInput, end to end: a real
// control plane, gateway, upstream, PostgreSQL and Redis, and a bundle built
// by the pinned OPA CLI from policies/ plus the example
// policies/examples/order_notes.rego (DELETE on an order's notes denied, reads
// only on the notes). Then the replay CLI over the decision log this gateway
// wrote: against the same bundle nothing changes; against a candidate with
// one rule dropped, and against the production bundle's tarball, exactly the
// decisions that rule made change.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane.ts';
import { startGateway, type RunningGateway } from '../support/gateway.ts';
import { buildBundle, policySources } from '../support/policy-bundle.ts';
import { rawExchange, rawRequestText } from '../support/raw-http.ts';
import { startUpstream, type RunningUpstream } from '../support/upstream.ts';
import { gatewayWorld, type GatewayWorld } from '../support/worlds/gateway.ts';

let work: string;
let cp: RunningControlPlane;
let upstream: RunningUpstream;
let gw: RunningGateway;
let world: GatewayWorld;
const events: Record<string, any>[] = [];

const example = await readFile('policies/examples/order_notes.rego', 'utf8');
/** The example's rule allowing reads only on the notes: dropped in the replay's candidate. */
const readsRule = /request_reasons contains "INSUFFICIENT_PERMISSION" if \{\n\trequest\.module == "order_notes"\n\trequest\.action == "read"\n\torder_notes_line\n\tnot notes_path\n\}\n/;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iam-policy-input-'));
  expect(example).toMatch(readsRule);
  const [withNotes, candidate] = await Promise.all([
    policySources({ 'authz/order_notes.rego': example }),
    policySources({ 'authz/order_notes.rego': example.replace(readsRule, '') }),
  ]);
  await Promise.all([
    buildBundle(withNotes, join(work, 'with-notes'), 'notes-1'),
    buildBundle(candidate, join(work, 'candidate'), 'notes-2'),
  ]);
  await Promise.all([rm(withNotes, { recursive: true }), rm(candidate, { recursive: true })]);
  cp = await startControlPlane();
  upstream = await startUpstream();
  gw = await startGateway({
    routes: 'test/gateway/routes.policy-input.yaml',
    upstreams: { 'http://upstream.test:1': upstream.url },
    env: { CONTROL_PLANE_URL: cp.url, POLICY_DIR: join(work, 'with-notes'), LOG_LEVEL: 'info' },
    deps: {
      watchPolicy: false,
      logDestination: new Writable({ write: (_c, _e, done) => done() }),
      decisionLog: {
        destination: new Writable({
          write(chunk: Buffer, _enc, done) {
            for (const line of chunk.toString().split('\n').filter(Boolean)) events.push(JSON.parse(line));
            done();
          },
        }),
        queue: { flushMs: 5 },
      },
    },
  });
  world = await gatewayWorld(cp.deps);
}, 120_000);

afterAll(async () => {
  await gw?.close();
  await upstream?.close();
  await cp?.close();
  await rm(work, { recursive: true, force: true });
});

interface Answer {
  status: number;
  code: string | undefined;
  /** The decision's id: from the 403 body, or from what the upstream received. */
  decisionId: string | undefined;
}

const seen = { before: 0 };
async function send(token: string, method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  seen.before = upstream.received.length;
  const res = await fetch(new URL(path, gw.url), { method, headers: { authorization: `Bearer ${token}`, ...headers } });
  const body = (await res.json()) as Record<string, any>;
  const forwarded = upstream.received.slice(seen.before).find((r) => r.method === method);
  return {
    status: res.status,
    code: body.code as string | undefined,
    decisionId: (body.decisionId as string | undefined) ?? (forwarded?.headers['x-auth-decision-id'] as string | undefined),
  };
}

async function event(id: string): Promise<Record<string, any>> {
  await expect.poll(() => events.some((e) => e.decision_id === id)).toBe(true);
  return events.find((e) => e.decision_id === id)!;
}

/** Decisions of the order_notes module by what the example rules did: the replay's expected changes. */
const decided = { readsDenied: [] as string[], exampleDenied: [] as string[], all: [] as string[] };

function remember(a: Answer, kind?: 'reads' | 'delete' | 'line'): Answer {
  expect(a.decisionId).toEqual(expect.any(String));
  decided.all.push(a.decisionId!);
  if (kind === 'reads') decided.readsDenied.push(a.decisionId!);
  if (kind !== undefined) decided.exampleDenied.push(a.decisionId!);
  return a;
}

describe('policyInput: rules on request.method and request.path', () => {
  it('denies DELETE on an order\'s notes and reads off the notes, whatever the role grants', async () => {
    const u = await world.user({ acl: { order_notes: 'RW' } });
    expect(remember(await send(u.token, 'POST', '/orders/o-1/notes'))).toMatchObject({ status: 200 });
    expect(upstream.last('/orders/o-1/notes')?.method).toBe('POST');
    expect(remember(await send(u.token, 'GET', '/orders/o-1/notes/n-9'))).toMatchObject({ status: 200 });
    expect(remember(await send(u.token, 'DELETE', '/orders/o-1/notes/n-9'), 'delete')).toMatchObject({ status: 403, code: 'INSUFFICIENT_PERMISSION' });
    expect(remember(await send(u.token, 'GET', '/orders/o-1'), 'reads')).toMatchObject({ status: 403, code: 'INSUFFICIENT_PERMISSION' });
    expect(upstream.received.some((r) => r.method === 'DELETE' || r.url === '/orders/o-1')).toBe(false);
    // An escape does not hide the segment from the rule; one that reads differently after a second decoding is refused.
    expect(remember(await send(u.token, 'DELETE', '/orders/o-1/%6Eotes/n-9'), 'delete')).toMatchObject({ status: 403 });
    expect(await send(u.token, 'DELETE', '/orders/o-1/not%2565s/n-9')).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    // No role, no note: the example only adds reasons.
    const reader = await world.user({ acl: { order_notes: 'R' } });
    expect(remember(await send(reader.token, 'POST', '/orders/o-1/notes'))).toMatchObject({ status: 403, code: 'INSUFFICIENT_PERMISSION' });
  });

  it('never shares a memoised decision between requests that differ only in path', async () => {
    const u = await world.user({ acl: { order_notes: 'RW' } });
    const memo = gw.deps.metrics;
    expect(remember(await send(u.token, 'DELETE', '/orders/o-2'))).toMatchObject({ status: 200 });
    const hits = memo.memoHit.n;
    expect(remember(await send(u.token, 'DELETE', '/orders/o-2/notes'), 'delete')).toMatchObject({ status: 403 });
    expect(memo.memoHit.n).toBe(hits);
    // The same request again is remembered (the memo still works for such routes).
    expect(remember(await send(u.token, 'DELETE', '/orders/o-2'))).toMatchObject({ status: 200 });
    expect(memo.memoHit.n).toBe(hits + 1);
    expect(remember(await send(u.token, 'DELETE', '/orders/o-2/notes'), 'delete')).toMatchObject({ status: 403 });
    // Long facts are never kept as a memo key (bounded memory per session): decided afresh each time.
    const long = `/orders/${'o'.repeat(600)}`;
    expect(remember(await send(u.token, 'DELETE', long))).toMatchObject({ status: 200 });
    const before = memo.memoHit.n;
    expect(remember(await send(u.token, 'DELETE', long))).toMatchObject({ status: 200 });
    expect(memo.memoHit.n).toBe(before);
  });

  it('denies a route of the module that does not send the request line (fail closed)', async () => {
    const u = await world.user({ acl: { order_notes: 'RW' } });
    expect(remember(await send(u.token, 'GET', '/notes-plain/o-1/notes'), 'line')).toMatchObject({ status: 403, code: 'INVALID_INPUT' });
  });

  it('adds method, path, query and the named headers to the input only where the route asks, as the decision log shows', async () => {
    const u = await world.user({ acl: { catalog: 'R' } });
    const a = await send(u.token, 'GET', '/catalog/shoes/42/?size=9&tag=a&tag=b&q=red+shoes&empty', { 'X-Channel': 'web', 'x-other': 'not asked for' });
    expect(a.status).toBe(200);
    const withFacts = (await event(a.decisionId!)).input.request;
    expect(withFacts).toMatchObject({
      module: 'catalog', action: 'read',
      method: 'GET', path: ['catalog', 'shoes', '42', ''], query: { size: '9', tag: ['a', 'b'], q: 'red shoes', empty: '' },
      headers: { 'x-channel': 'web' },
    });
    expect(Object.keys(withFacts.headers)).toEqual(['x-channel']);
    // A header the route names but the request lacks is absent, not "".
    const b = await send(u.token, 'GET', '/catalog');
    expect((await event(b.decisionId!)).input.request).toMatchObject({ path: ['catalog'], query: {}, headers: {} });

    // Without policyInput the request part is exactly what it always was.
    const plain = await send(u.token, 'GET', '/plain/shoes?size=9', { 'X-Channel': 'web' });
    expect(plain.status).toBe(200);
    expect(Object.keys((await event(plain.decisionId!)).input.request).sort()).toEqual(
      ['action', 'gateway_ref_id', 'gateway_ref_required', 'maker_id', 'merchant', 'merchant_id', 'module', 'product_id', 'product_required'],
    );
  });

  it('refuses a query or header the policy would read differently from the upstream (400)', async () => {
    const u = await world.user({ acl: { catalog: 'R' } });
    for (const [path, headers] of [
      ['/catalog?role=a&ROLE=b', {}],
      ['/catalog?a=1;role=admin', {}],
      ['/catalog?a=%E0%A4%A', {}],
      ['/catalog', { 'x_channel': 'web' }],
    ] as [string, Record<string, string>][]) {
      expect(await send(u.token, 'GET', path, headers), path).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    }
    // The same header twice (written raw: fetch would join them): an upstream may read either.
    const twice = await rawExchange(gw.url, [rawRequestText('GET', '/catalog', [
      ['Authorization', `Bearer ${u.token}`], ['X-Channel', 'web'], ['X-Channel', 'partner'], ['Connection', 'close'],
    ])], { untilResponse: true });
    expect(twice.status).toBe(400);
  });
});

function replay(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/policy-replay/main.ts', ...args], (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

describe('policy replay of a recorded decision log', () => {
  it('reports exactly the decisions a candidate bundle would change, and fails unless changes are allowed', async () => {
    for (const id of decided.all) await event(id);
    const log = join(work, 'decisions.ndjson');
    // The gateway's NDJSON as written, plus a line that is no decision (a log file may hold others).
    await writeFile(log, `${events.map((e) => JSON.stringify(e)).join('\n')}\n{"level":30,"msg":"not a decision"}\n`);

    const [same, candidate, allowed, production] = await Promise.all([
      replay('--bundle', join(work, 'with-notes'), '--log', log),
      replay('--bundle', join(work, 'candidate'), '--log', log, '--json', '--examples', '1000'),
      replay('--bundle', join(work, 'candidate'), '--log', log, '--allow-changes'),
      replay('--bundle', 'build/policy/bundle.tar.gz', '--log', log, '--json', '--examples', '1000'),
    ]);

    expect(same.stderr).toBe('');
    expect(same.code).toBe(0);
    expect(same.stdout).toContain(`policy replay: ${events.length} decisions`);
    expect(same.stdout).toContain('would change: 0');
    expect(same.stdout).toContain('skipped:      1 (1 not a decision event)');

    // Dropping the rule on reads changes exactly the reads it denied.
    expect(candidate.code).toBe(1);
    const report = JSON.parse(candidate.stdout);
    expect(report.revision).toBe('notes-2');
    expect(report.replayed).toBe(events.length);
    expect(report.examples.map((c: any) => c.decisionId).sort()).toEqual([...decided.readsDenied].sort());
    expect(report.byChange).toEqual({ 'deny INSUFFICIENT_PERMISSION → allow': decided.readsDenied.length });
    expect(report.examples[0]).toMatchObject({ method: 'GET', path: '/orders/o-1', revision: 'notes-1', fields: ['allow', 'reasons'] });

    const text = allowed.stdout;
    expect(allowed.code).toBe(0);
    expect(text).toContain(`would change: ${decided.readsDenied.length}`);
    expect(text).toContain(`deny INSUFFICIENT_PERMISSION → allow`);
    expect(text).toContain(decided.readsDenied[0]);

    // The production bundle (tarball, no example rules): every decision the example denied would be allowed.
    expect(production.code).toBe(1);
    const p = JSON.parse(production.stdout);
    expect(p.examples.map((c: any) => c.decisionId).sort()).toEqual([...decided.exampleDenied].sort());
    expect(p.byChange).toEqual({
      'deny INSUFFICIENT_PERMISSION → allow': decided.exampleDenied.length - 1,
      'deny INVALID_INPUT → allow': 1,
    });
  });

  it('exits 2 when it cannot replay: no arguments, a bundle that does not load, a log without decisions', async () => {
    const empty = join(work, 'empty.ndjson');
    await writeFile(empty, '{"level":30}\n');
    const [none, badBundle, noDecisions] = await Promise.all([
      replay(),
      replay('--bundle', join(work, 'no-such-bundle'), '--log', empty),
      replay('--bundle', join(work, 'with-notes'), '--log', empty),
    ]);
    expect(none).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: npm run policy:replay') });
    expect(badBundle).toMatchObject({ code: 2, stderr: expect.stringContaining('cannot load the bundle') });
    expect(noDecisions).toMatchObject({ code: 2, stderr: expect.stringContaining('no decision of') });
  });
});
