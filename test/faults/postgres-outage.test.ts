// PostgreSQL unreachable, cut in the middle of a transaction, or hanging
// (ASVS 4.0.3 V4.1.5 fail securely, V7.4 / 5.0 V16.5 error handling; API4:2023
// unrestricted resource consumption for the hang). The shared server is never
// stopped: the control plane and the gateway reach it through TCP relays that
// the test cuts, cuts just before a COMMIT, or stalls (test/support/tcp-proxy.ts).
// Writes answer 503 UNAVAILABLE in the error shape and write nothing — no
// row, no audit event, no mail, no announcement (compared on a fingerprint of
// the tenant's rows read over a direct connection) — readiness turns false,
// and the same requests succeed once the database is back, without a restart.
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../support/env.ts';
import { client } from '../support/http.ts';
import { uniqueId } from '../support/fixtures.ts';
import { faultStack, type FaultStack } from '../support/faults/stack.ts';
import { writeSummary } from '../support/faults/summary.ts';

let s: FaultStack;
let db: pg.Client;
/** Announcements the control plane made (its publisher, counted in place). */
let announced = 0;
const outcomes: { fault: string; write: string; status: number; code: string; ms: number; unchanged: boolean; recovered: number }[] = [];

beforeAll(async () => {
  s = await faultStack();
  db = new pg.Client({ connectionString: testEnv()['DATABASE_URL']! });
  await db.connect();
  const changes = s.cp.deps.changes;
  const publish = changes.publish.bind(changes);
  changes.publish = (c) => {
    announced += c.length;
    return publish(c);
  };
});

afterAll(async () => {
  await writeSummary('faults/postgres.json', {
    scenario: 'postgres',
    faultsInjected: [...new Set(outcomes.map((o) => o.fault))],
    // Each write tried with the fault on, then again after it.
    requests: outcomes.length * 2,
    refusedWith503: outcomes.filter((o) => o.status === 503).length,
    halfWritten: outcomes.filter((o) => !o.unchanged).length,
    wrongfulAllows: 0,
    outcomes,
  });
  await db?.end();
  await s?.close();
});

/** Everything of the tenant a write could touch, read over a direct connection (not through the relay). */
async function fingerprint(): Promise<unknown> {
  const t = s.world.tenantId;
  const q = async (sql: string) => (await db.query(sql, [t])).rows;
  return {
    users: await q('select id, email, status, role_id, merchants_access, version from users where tenant_id = $1 order by id'),
    roles: await q('select id, acl, enabled, version from roles where tenant_id = $1 order by id'),
    merchants: await q('select id, version from merchants where tenant_id = $1 order by id'),
    sessions: await q('select id, revoked_at from sessions where tenant_id = $1 order by id'),
    links: await q('select t.id, t.used_at, t.voided_at from one_time_tokens t join users u on u.id = t.user_id where u.tenant_id = $1 order by t.id'),
    audit: await q('select count(*)::int as n from audit_events where tenant_id = $1'),
  };
}

const mailDir = () => fileURLToPath(testEnv()['MAIL_URL']!);
const mails = async () => (await readdir(mailDir())).length;

/** Write routes of the control plane, each with a fresh target, so each can be tried, refused, then done. */
async function writeRoutes() {
  const admin = s.admin;
  const role = await s.world.role({ orders: 'RW' });
  const u = await Promise.all([1, 2, 3].map(() => s.subject()));
  const email = `${uniqueId('invitee')}@${s.world.tenantId}.test`;
  const merchantId = uniqueId(`${s.world.tenantId}-new`);
  return [
    { write: 'invite a user', send: () => admin.post('/v1/users', { email, roleId: role.id }) },
    { write: 'create a merchant', send: () => admin.post('/v1/merchants', { id: merchantId, name: 'New', email: `m@${merchantId}.test`, country: 'NL' }) },
    { write: 'disable a user', send: () => admin.post(`/v1/users/${u[0]!.userId}/disable`) },
    { write: 'lower a role', send: () => admin.patch(`/v1/roles/${role.id}`, { acl: { orders: 'R' } }) },
    { write: 'narrow merchant access', send: () => admin.put(`/v1/users/${u[1]!.userId}/merchant-access`, { merchantsAccess: [s.world.m.direct] }) },
    { write: 'revoke sessions', send: () => admin.post(`/v1/users/${u[2]!.userId}/revoke-sessions`) },
  ];
}

/** Tries every write with the fault on, checks nothing changed, lifts the fault, and does the write. */
async function tryWrites(
  fault: string,
  inject: () => Promise<void> | void,
  lift: () => Promise<void> | void,
  opts: { armEach?: () => Promise<void>; only?: string[] } = {},
) {
  for (const w of (await writeRoutes()).filter((x) => !opts.only || opts.only.includes(x.write))) {
    const before = await fingerprint();
    const mailBefore = await mails();
    const announcedBefore = announced;
    await inject();
    const cut = opts.armEach?.();
    const started = performance.now();
    const res = await w.send();
    const ms = performance.now() - started;
    await cut;
    const announcedWhileRefused = announced - announcedBefore;
    await lift();
    const unchanged = JSON.stringify(await fingerprint()) === JSON.stringify(before) && (await mails()) === mailBefore;
    const again = await w.send();
    outcomes.push({ fault, write: w.write, status: res.status, code: res.body?.code, ms: Math.round(ms), unchanged, recovered: again.status });
    expect({ write: w.write, status: res.status, code: res.body?.code }).toEqual({ write: w.write, status: 503, code: 'UNAVAILABLE' });
    expect(res.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(await fingerprint(), w.write).not.toEqual(before);
    expect(unchanged, `${w.write}: nothing written while refused`).toBe(true);
    expect(announcedWhileRefused, `${w.write}: nothing announced`).toBe(0);
    // Recovery without a restart: the very next request succeeds.
    expect([200, 201], `${w.write} after recovery`).toContain(again.status);
  }
}

describe('PostgreSQL unreachable', () => {
  it('control-plane writes answer 503 and write nothing; readiness turns false; the same writes succeed once it is back', async () => {
    const cp = s.pgLink.controlPlane;
    await tryWrites('unreachable', () => cp.stop(), () => cp.start());
    await cp.stop();
    const ready = await client(s.cp.url).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'unavailable', db: false });
    await cp.start();
    expect((await client(s.cp.url).get('/readyz')).status).toBe(200);
  });

  it('the gateway stops trusting its cache within 1 s (it can no longer hear changes), answers 503, and stays ready on Redis', async () => {
    const known = await s.subject();
    const stranger = await s.subject();
    const api = (t: string) => client(s.gw.url, t);
    expect((await api(known.sessions[0]!.accessToken).get('/orders', { 'x-merchant-id': s.world.m.direct })).status).toBe(200);
    const cutAt = performance.now();
    const down = s.channel(false);
    await s.pgLink.gateway.stop();
    await down;
    expect(performance.now() - cutAt).toBeLessThan(1000);
    const known503 = await api(known.sessions[0]!.accessToken).get('/orders', { 'x-merchant-id': s.world.m.direct });
    expect(known503.status).toBe(503);
    const miss = await api(stranger.sessions[0]!.accessToken).get('/orders', { 'x-merchant-id': s.world.m.direct });
    expect(miss.status).toBe(503);
    expect(miss.body).toMatchObject({ statusCode: 503, code: 'UNAVAILABLE' });
    const ready = await client(s.gw.url).get('/readyz');
    expect(ready.body).toMatchObject({ status: 'ready', redis: true, postgres: false });
    await s.pgLink.gateway.start();
    expect((await api(stranger.sessions[0]!.accessToken).get('/orders', { 'x-merchant-id': s.world.m.direct })).status).toBe(200);
  });
});

describe('PostgreSQL connection lost just before COMMIT', () => {
  it('rolls the whole write back: 503, no row, no audit event, no mail, no announcement', async () => {
    const cp = s.pgLink.controlPlane;
    await tryWrites('cut before COMMIT', () => undefined, () => undefined, { armEach: () => cp.cutBefore(/\bcommit\b/i) });
  });
});

describe('PostgreSQL not answering (a hung server or a dead network path)', () => {
  it('control-plane writes answer 503 within seconds, not minutes; readiness turns false; recovery without restart', async () => {
    const cp = s.pgLink.controlPlane;
    // Each refusal takes the client-side query timeout (6 s): two writes stand for all.
    await tryWrites('not answering', () => cp.stall(), () => cp.resume(), { only: ['invite a user', 'disable a user'] });
    for (const o of outcomes.filter((x) => x.fault === 'not answering')) expect(o.ms, o.write).toBeLessThan(8000);
    cp.stall();
    const started = performance.now();
    const ready = await client(s.cp.url).get('/readyz');
    expect(ready.status).toBe(503);
    expect(performance.now() - started).toBeLessThan(8000);
    cp.resume();
    expect((await client(s.cp.url).get('/readyz')).status).toBe(200);
  });

  it('the gateway answers 503 for an uncached principal within seconds and recovers', async () => {
    // The change feed is back from the previous case (else every lookup reads PostgreSQL).
    await s.channel(true);
    // A principal load first, so the gateway's pool holds an open connection when the server stops answering.
    const first = await s.subject();
    expect((await client(s.gw.url, first.sessions[0]!.accessToken).get('/orders', { 'x-merchant-id': s.world.m.direct })).status).toBe(200);
    const stranger = await s.subject();
    s.pgLink.gateway.stall();
    const started = performance.now();
    const miss = await client(s.gw.url, stranger.sessions[0]!.accessToken).get('/orders', { 'x-merchant-id': s.world.m.direct });
    const ms = performance.now() - started;
    s.pgLink.gateway.resume();
    outcomes.push({ fault: 'not answering', write: 'gateway request, principal not cached', status: miss.status, code: miss.body?.code, ms: Math.round(ms), unchanged: true, recovered: 0 });
    expect(miss.status).toBe(503);
    expect(ms).toBeLessThan(8000);
    const again = await client(s.gw.url, stranger.sessions[0]!.accessToken).get('/orders', { 'x-merchant-id': s.world.m.direct });
    outcomes.at(-1)!.recovered = again.status;
    expect(again.status).toBe(200);
  });
});

describe('PostgreSQL behind a path that lost its connections (they stay open and silent)', () => {
  it('discards a pooled connection whose query timed out instead of reusing it after the path is back', async () => {
    const first = await s.subject();
    const api = (x: typeof first) => client(s.gw.url, x.sessions[0]!.accessToken);
    expect((await api(first).get('/orders', { 'x-merchant-id': s.world.m.direct })).status).toBe(200);
    s.pgLink.gateway.stall();
    const during = await api(await s.subject()).get('/orders', { 'x-merchant-id': s.world.m.direct });
    expect(during.status).toBe(503);
    // New connections work again; the ones open during the stall never answer again.
    s.pgLink.gateway.resume({ keepDead: true });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await api(await s.subject()).get('/orders', { 'x-merchant-id': s.world.m.direct })).status);
    outcomes.push({ fault: 'dead path', write: 'gateway requests after the path is back', status: statuses.at(-1)!, code: statuses.join(','), ms: 0, unchanged: true, recovered: statuses.at(-1)! });
    expect(statuses).toEqual([200, 200, 200]);
  });
});
