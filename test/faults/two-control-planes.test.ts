// Two control planes behind the same PostgreSQL and Redis (any number run
// behind a load balancer, docs/architecture.md): every once-only or
// counted rule holds across them when the same thing arrives at both at the
// same moment. Both are real processes (`node src/server.ts`, as production
// runs them: their own Fastify server, ORM pool, Redis connection and
// timers); requests are split between them over HTTP. An in-process control
// plane and gateway (approval-stack.ts) only seed data and hold requests for
// approval.
// - lockout: parallel wrong attempts split over both evaluate exactly N
//   passwords, summed from each process's /metrics (the reservation is one
//   Lua script on one Redis key);
// - an invitation link accepted on both at once works once (conditional
//   UPDATE of the link);
// - a TOTP code sent to both at once opens one session (conditional UPDATE of
//   the last step), and one MFA token sent to both at once too (SET NX);
// - an approval approved on both at once reaches the upstream exactly once
//   (conditional claim PENDING → APPROVED);
// - expiry: approvals past their TTL expire once each, with one audit event
//   (FOR UPDATE SKIP LOCKED), when both processes' 1 s sweep timers and
//   six simultaneous reads (which expire what is due first) race for them;
// - the soak's mix (gateway reads and writes, logins, revocations of every
//   kind made through either control plane) with two control plane
//   processes and three gateway processes: no call allowed later than
//   100 ms after the COMMIT of a revocation affecting it (oracle.ts; the
//   control planes reach PostgreSQL through a relay that times each
//   COMMIT, commit-clock.ts);
// - with one control plane stopped the other serves on, and the gateway keeps
//   deciding with the signing keys it already fetched.
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapTenant } from '../../src/tenants/bootstrap.ts';
import { codeAt, completeInvitation, GOOD_PASSWORD, inviteUser, tokenFromMail } from '../support/auth.ts';
import { gatewayWorld, type GatewayWorld } from '../support/worlds/gateway.ts';
import { client, receivedUnder, startApprovalStack, type ApprovalStack } from '../support/approval-stack.ts';
import { auditOf } from '../support/audit.ts';
import { passwordVerifications } from '../support/metrics.ts';
import { User } from '../../src/users/user.entity.ts';
import { timedDatabase } from '../support/faults/commit-clock.ts';
import { startControlPlaneProcess, type ControlPlaneProcess } from '../support/faults/control-plane-process.ts';
import { routeTable, startGatewayProcess } from '../support/faults/gateway-process.ts';
import { afterCommit, Ledger, sample } from '../support/faults/oracle.ts';
import { revoke } from '../support/faults/revocations.ts';
import { summarize, writeScenario } from '../support/faults/summary.ts';
import { gatewayCall, keepCalling, login, pick, sessionOf, type Endpoint, type Subject } from '../support/faults/traffic.ts';
import { activate, tokenFor, uniqueId } from '../support/fixtures.ts';

/** How often each process sweeps expired approvals (the shortest APPROVAL_SWEEP_SECONDS). */
const SWEEP_SECONDS = 1;

let stack: ApprovalStack;
let planes: ControlPlaneProcess[] = [];
let world: GatewayWorld;

beforeAll(async () => {
  // The seeding control plane does not sweep: expiry is the processes' work.
  stack = await startApprovalStack({ APPROVAL_SWEEP_SECONDS: '0' });
  // Both send approved requests to the stack's upstream (the same route table).
  const env = { GATEWAY_ROUTES: stack.cp.deps.config.GATEWAY_ROUTES, APPROVAL_SWEEP_SECONDS: String(SWEEP_SECONDS) };
  planes = await Promise.all([startControlPlaneProcess(env), startControlPlaneProcess(env)]);
  world = await gatewayWorld(stack.cp.deps);
});

afterAll(async () => {
  await Promise.all(planes.map((p) => p.stop()));
  await stack?.close();
});

/** Request i goes to control plane process i % 2. */
const api = (i: number, token?: string) => client(planes[i % 2]!.url, token);
const statuses = (rs: { status: number }[]) => rs.map((r) => r.status).sort();
/** Password verifications made by both processes together. */
const verifiedOnBoth = async () => (await Promise.all(planes.map((p) => passwordVerifications(p.url)))).reduce((a, b) => a + b, 0);

async function tenantAdmin(mfaRequired: boolean) {
  const id = uniqueId('t');
  const t = await bootstrapTenant(stack.cp.deps, { id, name: id, adminEmail: `admin@${id}.test`, security: { mfaRequired } });
  const done = await completeInvitation(stack.cp, t.admin.email);
  return { ...t, secret: done.secret };
}

describe('two control planes sharing PostgreSQL and Redis', () => {
  it('lockout: 50 parallel wrong attempts split over both evaluate exactly N (5) passwords', async () => {
    const t = await tenantAdmin(false);
    const before = await verifiedOnBoth();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => api(i).post('/v1/auth/login', { email: t.admin.email, password: 'parallel-wrong-guess' })));
    expect((await verifiedOnBoth()) - before).toBe(5);
    const counts = answers.reduce<Record<number, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});
    expect(counts).toEqual({ 401: 5, 423: 45 });
    // Locked on both.
    for (const i of [0, 1]) expect((await api(i).post('/v1/auth/login', { email: t.admin.email, password: GOOD_PASSWORD })).status).toBe(423);
  });

  it('an invitation accepted on both at the same time works once', async () => {
    const t = await tenantAdmin(false);
    for (let round = 0; round < 3; round++) {
      const user = await inviteUser(stack.cp.deps, { tenantId: t.tenant.id, roleId: t.roles.TENANT.id, type: 'TENANT' });
      const token = await tokenFromMail(user.email, '/invitations/accept');
      const answers = await Promise.all([0, 1].map((i) => api(i).post('/v1/invitations/accept', { token, password: GOOD_PASSWORD })));
      expect(statuses(answers)).toEqual([200, 404]);
      expect((await auditOf(stack.cp, user.id)).filter((e) => e.action === 'user.invitation_accepted')).toHaveLength(1);
    }
  });

  it('a TOTP code sent to both at the same time opens one session; so does one MFA token', async () => {
    const mfaToken = async (email: string, i: number) => (await api(i).post('/v1/auth/login', { email, password: GOOD_PASSWORD })).body.mfaToken as string;
    // One code (the step after enrolment's), two logins in flight, one per control plane.
    const t = await tenantAdmin(true);
    const code = codeAt(t.secret!, 30_000);
    const [a, b] = await Promise.all([mfaToken(t.admin.email, 0), mfaToken(t.admin.email, 1)]);
    const answers = await Promise.all([api(0).post('/v1/auth/login/totp', { mfaToken: a, code }), api(1).post('/v1/auth/login/totp', { mfaToken: b, code })]);
    expect(statuses(answers)).toEqual([200, 401]);
    expect(answers.find((r) => r.status === 401)!.body.code).toBe('TOTP_REPLAYED');
    // One MFA token sent to both control planes at the same moment (another user: a fresh step).
    const u = await tenantAdmin(true);
    const token = await mfaToken(u.admin.email, 0);
    const same = await Promise.all([0, 1].map((i) => api(i).post('/v1/auth/login/totp', { mfaToken: token, code: codeAt(u.secret!, 30_000) })));
    expect(same.filter((r) => r.status === 200)).toHaveLength(1);
  });

  it('an approval approved on both at the same time executes exactly once', async () => {
    const maker = await world.user({ acl: { refunds: 'RW' } });
    const checker = await world.user({ acl: { refunds: 'CHECKER' } });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const held = await client(stack.gw.url, maker.token).post('/refunds', { amount: 100 + i, orderId: uniqueId('o') }, { 'x-merchant-id': world.m.direct });
      expect(held.status).toBe(202);
      ids.push(held.body.approvalId as string);
    }
    const sentBefore = receivedUnder(stack.upstream, '/refunds').length;
    const answers = await Promise.all(ids.map((id) => Promise.all([0, 1].map((i) => api(i, checker.token).post(`/v1/approvals/${id}/approve`)))));
    for (const [i, pair] of answers.entries()) {
      expect(statuses(pair), ids[i]).toEqual([200, 409]);
      expect(pair.find((r) => r.status === 200)!.body.status).toBe('EXECUTED');
      expect(pair.find((r) => r.status === 409)!.body.code).toBe('APPROVAL_NOT_PENDING');
      expect((await auditOf(stack.cp, ids[i]!)).map((e) => e.action)).toEqual(['approval.requested', 'approval.approved', 'approval.executed']);
    }
    expect(receivedUnder(stack.upstream, '/refunds').length - sentBefore).toBe(ids.length);
  });

  it('approvals past their TTL expire once each, with one audit event, when both processes\' sweeps and six simultaneous reads race for them', async () => {
    const maker = await world.user({ acl: { refunds: 'RW' } });
    const checker = await world.user({ acl: { refunds: 'CHECKER' } });
    const hold = async (n: number) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const held = await client(stack.gw.url, maker.token).post('/refunds', { amount: i, orderId: uniqueId('o') }, { 'x-merchant-id': world.m.direct });
        expect(held.status).toBe(202);
        ids.push(held.body.approvalId as string);
      }
      return ids;
    };
    const db = stack.cp.deps.orm.em.getConnection();
    // The processes run on the real clock: the approvals' expiry is moved into the past instead
    // (the in-process version moved the sweep's clock past APPROVAL_TTL_HOURS).
    const makeDue = (ids: string[]) => db.execute(`update approvals set expires_at = now() - interval '1 minute' where id in (?)`, [ids]);
    const statusOf = async (ids: string[]) => (await db.execute<{ status: string }[]>('select status from approvals where id in (?)', [ids])).map((r) => r.status);
    const expiredOnce = async (ids: string[]) => {
      for (const id of ids) expect((await auditOf(stack.cp, id)).map((e) => e.action), id).toEqual(['approval.requested', 'approval.expired']);
      expect(await statusOf(ids)).toEqual(ids.map(() => 'EXPIRED'));
    };

    // 1. Due under both timers and six listings sent at one moment, three per process (a listing
    //    expires its tenant's due approvals before answering, with the sweep's statement).
    const raced = await hold(30);
    await makeDue(raced);
    const listings = await Promise.all([0, 1, 0, 1, 0, 1].map((i) => api(i, checker.token).get('/v1/approvals?status=EXPIRED')));
    expect(statuses(listings)).toEqual([200, 200, 200, 200, 200, 200]);
    await expiredOnce(raced);

    // 2. Due with nobody reading: the processes' timers alone expire them (both sweep every second).
    const swept = await hold(30);
    await makeDue(swept);
    const deadline = Date.now() + (3 * SWEEP_SECONDS + 2) * 1000;
    // Waiting for the timers (bounded: three sweep periods and slack).
    while ((await statusOf(swept)).some((st) => st !== 'EXPIRED') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await expiredOnce(swept);
  });

  it('the soak mix on two control plane processes and three gateway processes: revocations through either, 0 wrongful allows from COMMIT', async () => {
    const upstream = await routeTable(stack.upstream.url);
    // Their own processes: these reach PostgreSQL through the commit clock's relay.
    const db = await timedDatabase();
    const timed = await Promise.all([0, 1].map(() => startControlPlaneProcess({ DATABASE_URL: db.url })));
    const gateways = await Promise.all([0, 1, 2].map((i) => startGatewayProcess({ CONTROL_PLANE_URL: timed[i % 2]!.url, GATEWAY_ROUTES: upstream.file })));
    try {
      await activate(stack.cp.deps, world.tenant.admin.id);
      const token = await tokenFor(stack.cp.deps, world.tenant.admin.id);
      const admins = timed.map((p) => client(p.url, token));
      const both = [world.m.direct, world.m.other];
      const subjectWith = async (roleId?: string): Promise<Subject> => {
        const u = await world.user({ acl: { orders: 'RW' }, ...(roleId && { roleId }), merchantsAccess: both });
        await activate(stack.cp.deps, u.id, GOOD_PASSWORD);
        const { email } = await stack.cp.deps.orm.em.fork().findOneOrFail(User, u.id);
        return { userId: u.id, roleId: u.roleId, email, password: GOOD_PASSWORD, merchants: both, sessions: [{ sid: sessionOf(u.token), accessToken: u.token, refreshToken: '' }], lock: Promise.resolve() };
      };
      const sharedRole = (await world.role({ orders: 'RW' })).id;
      const everyone = [
        ...(await Promise.all([0, 1, 2, 3].map(() => subjectWith()))),
        ...(await Promise.all([0, 1, 2, 3].map(() => subjectWith(sharedRole)))),
      ];
      const [d1, d2, n1, s1, ...rest] = everyone;
      const ledger = new Ledger(db.commits);
      const endpoints: Endpoint[] = gateways.map((g, i) => ({ name: `gateway-${i + 1}`, url: g.url }));
      const traffic = [
        keepCalling(4, async () => {
          const x = pick(everyone);
          await gatewayCall(ledger, pick(endpoints), x, pick(['read', 'read', 'write'] as const), pick(x.merchants));
        }, 10),
        keepCalling(1, async (l) => login(ledger, timed[l % 2]!.url, pick(rest)), 300),
      ];
      // Revocations alternate between the control planes.
      const plan = [
        () => revoke.user(ledger, admins[0]!, d1!),
        () => revoke.merchants(ledger, admins[1]!, n1!, [world.m.direct]),
        () => revoke.role(ledger, admins[0]!, sharedRole),
        () => revoke.sessions(ledger, admins[1]!, s1!),
        () => revoke.user(ledger, admins[1]!, d2!),
      ];
      await ledger.after(200);
      for (const step of plan) {
        await step();
        await ledger.after(250);
      }
      await Promise.all(traffic.map((t) => t.stop()));
      const verdict = ledger.judge(100);
      await writeScenario(summarize('two-control-planes-three-gateways', ['none: two control plane processes, three gateway processes, revocations through both'], verdict, ledger.revocations.length, { afterCommit: afterCommit(ledger) }));
      expect(sample(verdict.wrongfulAllows), 'wrongful allows').toEqual([]);
      expect(sample(verdict.wrongfulDenies), 'wrongful denies').toEqual([]);
      expect(sample(verdict.otherStatuses), 'neither allowed nor denied').toEqual([]);
      for (const r of ledger.revocations) {
        expect(ledger.calls.filter((c) => r.affects(c) && c.startedAt > r.committedAt + 100).length, r.label).toBeGreaterThan(0);
      }
    } finally {
      await Promise.all(gateways.map((g) => g.stop()));
      await Promise.all(timed.map((p) => p.stop()));
      await db.stop();
      await upstream.remove();
    }
  });

  // Last: it stops the in-process control plane, the one the gateway fetched its keys from.
  it('one control plane stopped: the other serves logins and revocations, the gateway keeps deciding on the keys it has', async () => {
    // Everything made through the stopped control plane's deps is made before it stops.
    const t = await tenantAdmin(false);
    const live = await world.user({ acl: { orders: 'RW' } });
    const victim = await world.user({ acl: { orders: 'RW' } });
    await activate(stack.cp.deps, world.tenant.admin.id);
    const admin = api(1, await tokenFor(stack.cp.deps, world.tenant.admin.id));
    const order = (token: string) => client(stack.gw.url, token).get('/orders/1', { 'x-merchant-id': world.m.direct });
    expect((await order(victim.token)).status).toBe(200);

    const stoppedAt = performance.now();
    await stack.cp.close();
    // Closed here; the stack's own close must not close it again.
    stack.cp.close = async () => {};
    expect(await fetch(`${stack.cp.url}/healthz`).then(() => 'answered', () => 'refused')).toBe('refused');

    // The gateway's JWKS source is gone: tokens it has keys for keep verifying.
    expect((await order(live.token)).status).toBe(200);
    // The survivor: a login, and an administrator's disable that the gateway enforces.
    expect((await api(1).post('/v1/auth/login', { email: t.admin.email, password: GOOD_PASSWORD })).status).toBe(200);
    const applied = stack.gw.applied('user', victim.id);
    const disabled = await admin.post(`/v1/users/${victim.id}/disable`);
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    await applied;
    expect([401, 403]).toContain((await order(victim.token)).status);
    expect((await order(live.token)).status).toBe(200);
    // Nothing waited on the stopped one (no timeout was sat out).
    expect(performance.now() - stoppedAt).toBeLessThan(5000);
  });
});
