// Maker-checker through a real gateway: a maker's refund waits as an
// approval (202) and reaches the recording upstream only after a different
// user with CHECKER approves it, exactly once, with the maker's identity and
// x-auth-approved-by. Refusals come from the compiled policy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Approval } from '../../src/approvals/approval.entity.ts';
import { gatewayWorld, type GatewayWorld } from '../support/worlds/gateway.ts';
import { client, receivedUnder, startApprovalStack, type ApprovalStack } from '../support/approval-stack.ts';
import { auditOf } from '../support/audit.ts';
import { expectStatus } from '../support/expect.ts';

let stack: ApprovalStack;
let world: GatewayWorld;
let maker: Awaited<ReturnType<GatewayWorld['user']>>;
let checker: Awaited<ReturnType<GatewayWorld['user']>>;

beforeAll(async () => {
  stack = await startApprovalStack();
  world = await gatewayWorld(stack.cp.deps);
  maker = await world.user({ acl: { refunds: 'RW' } });
  checker = await world.user({ acl: { refunds: 'CHECKER' } });
});

afterAll(async () => {
  await stack?.close();
});

const viaGateway = (token: string) => client(stack.gw.url, token);
const cpAs = (token: string) => client(stack.cp.url, token);

/** A maker's refund held by the gateway; returns its approval id. */
async function requestRefund(path = '/refunds', body: unknown = { amount: 1250, currency: 'EUR', orderId: `o-${Math.random()}` }, merchant = world.m.direct) {
  const res = await viaGateway(maker.token).post(path, body, { 'x-merchant-id': merchant, 'idempotency-key': 'k-1', 'x-auth-user-id': 'forged' });
  expectStatus(res, 202);
  expect(res.body).toMatchObject({ approvalId: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'PENDING' });
  return res.body.approvalId as string;
}

describe('a maker\'s write on an approval route', () => {
  it('is stored without credentials, reaches the upstream only after a checker approves, exactly once', async () => {
    const body = { amount: 1250, currency: 'EUR', orderId: 'o-1' };
    const id = await requestRefund('/refunds?source=web', body);
    expect(receivedUnder(stack.upstream, '/refunds')).toHaveLength(0);

    // What was stored: the request, the maker, never the token.
    const row = await stack.cp.deps.orm.em.fork().findOneOrFail(Approval, id);
    expect(row).toMatchObject({ kind: 'GATEWAY', module: 'refunds', merchantId: world.m.direct, makerId: maker.id, status: 'PENDING' });
    expect(row.request).toMatchObject({ method: 'POST', path: '/refunds', query: 'source=web', contentType: 'application/json', route: '/refunds' });
    expect(JSON.parse(row.request['body'] as string)).toEqual(body);
    expect(row.request['headers']).toEqual({ 'x-merchant-id': world.m.direct, 'idempotency-key': 'k-1', accept: '*/*' });
    expect(JSON.stringify(row.request)).not.toContain(maker.token);
    expect(JSON.stringify(row.request).toLowerCase()).not.toMatch(/authorization|bearer|forged/);

    // The maker sees its own request; the checker sees it waiting.
    expectStatus(await cpAs(maker.token).get(`/v1/approvals/${id}`), 200);
    const mine = await cpAs(maker.token).get('/v1/approvals?mine=true&status=PENDING');
    expect(mine.body.items.map((a: { id: string }) => a.id)).toContain(id);
    const queue = await cpAs(checker.token).get('/v1/approvals?status=PENDING');
    expectStatus(queue, 200);
    expect(queue.body.items.map((a: { id: string }) => a.id)).toContain(id);
    // …but the maker's queue never shows its own.
    const makerQueue = await cpAs(maker.token).get('/v1/approvals');
    expect(makerQueue.body.items.map((a: { id: string }) => a.id)).not.toContain(id);

    const approved = await cpAs(checker.token).post(`/v1/approvals/${id}/approve`);
    expectStatus(approved, 200);
    expect(approved.body).toMatchObject({ status: 'EXECUTED', checkerId: checker.id, result: { upstreamStatus: 200 } });
    expect(JSON.parse(approved.body.result.body)).toMatchObject({ upstream: 'echo', method: 'POST', url: '/refunds?source=web' });

    const sent = receivedUnder(stack.upstream, '/refunds');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.url).toBe('/refunds?source=web');
    expect(JSON.parse(sent[0]!.body!)).toEqual(body);
    expect(sent[0]!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-merchant-id': world.m.direct,
      'idempotency-key': 'k-1',
      'x-auth-user-id': maker.id,
      'x-auth-tenant-id': world.tenantId,
      'x-auth-context-type': 'TENANT',
      'x-auth-context-id': world.tenantId,
      'x-auth-merchant-id': world.m.direct,
      'x-auth-decision-id': row.request['decisionId'],
      'x-auth-approved-by': checker.id,
      'x-auth-approval-id': id,
    });
    expect(sent[0]!.headers['authorization']).toBeUndefined();

    // Once: approving again is refused and sends nothing.
    expectStatus(await cpAs(checker.token).post(`/v1/approvals/${id}/approve`), 409, 'APPROVAL_NOT_PENDING');
    expect(receivedUnder(stack.upstream, '/refunds')).toHaveLength(1);

    const audit = await auditOf(stack.cp, id);
    expect(audit.map((e) => e.action)).toEqual(['approval.requested', 'approval.approved', 'approval.executed']);
    expect(audit[0]!.actor_id).toBe(maker.id);
    expect(audit[1]!.actor_id).toBe(checker.id);
    expect(audit[2]!.after).toMatchObject({ status: 'EXECUTED', upstreamStatus: 200 });
  });

  it('refuses the maker (SOD_VIOLATION) and users without CHECKER; neither reaches the upstream', async () => {
    const id = await requestRefund();
    expectStatus(await cpAs(maker.token).post(`/v1/approvals/${id}/approve`), 403, 'SOD_VIOLATION');
    expectStatus(await cpAs(maker.token).post(`/v1/approvals/${id}/reject`, { reason: 'mine' }), 403, 'SOD_VIOLATION');

    const reader = await world.user({ acl: { refunds: 'R' } });
    expectStatus(await cpAs(reader.token).post(`/v1/approvals/${id}/approve`), 403, 'FORBIDDEN');
    expectStatus(await cpAs(reader.token).get(`/v1/approvals/${id}`), 404, 'NOT_FOUND');
    expect((await cpAs(reader.token).get('/v1/approvals')).body.items).toEqual([]);

    // A Tenant Admin holds RW everywhere but no CHECKER: a maker, not a checker.
    const admin = await world.user({ roleId: world.tenant.roles.TENANT.id });
    expectStatus(await cpAs(admin.token).post(`/v1/approvals/${id}/approve`), 403, 'FORBIDDEN');

    // Another tenant does not even see it.
    const other = await gatewayWorld(stack.cp.deps);
    const outsider = await other.user({ acl: { refunds: 'CHECKER' } });
    expectStatus(await cpAs(outsider.token).post(`/v1/approvals/${id}/approve`), 404, 'NOT_FOUND');

    expect(receivedUnder(stack.upstream, '/refunds').filter((r) => r.headers['x-auth-approval-id'] === id)).toHaveLength(0);
    expect((await cpAs(maker.token).get(`/v1/approvals/${id}`)).body.status).toBe('PENDING');
  });

  it('lets a checker of the paired approval module (refund_approvals) decide', async () => {
    const id = await requestRefund();
    const pairedChecker = await world.user({ acl: { refund_approvals: 'CHECKER' } });
    const res = await cpAs(pairedChecker.token).post(`/v1/approvals/${id}/approve`);
    expectStatus(res, 200);
    expect(res.body.status).toBe('EXECUTED');
  });

  it('executes once when checkers approve concurrently', async () => {
    const id = await requestRefund();
    const second = await world.user({ acl: { refunds: 'CHECKER' } });
    const results = await Promise.all([
      cpAs(checker.token).post(`/v1/approvals/${id}/approve`),
      cpAs(second.token).post(`/v1/approvals/${id}/approve`),
      cpAs(checker.token).post(`/v1/approvals/${id}/approve`),
      cpAs(second.token).post(`/v1/approvals/${id}/approve`),
    ]);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses, JSON.stringify(results.map((r) => r.body))).toEqual([200, 409, 409, 409]);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'APPROVAL_NOT_PENDING')).toBe(true);
    expect(receivedUnder(stack.upstream, '/refunds').filter((r) => r.headers['x-auth-approval-id'] === id)).toHaveLength(1);
    const audit = await auditOf(stack.cp, id);
    expect(audit.map((e) => e.action)).toEqual(['approval.requested', 'approval.approved', 'approval.executed']);
  });

  it('never sends a rejected request', async () => {
    const id = await requestRefund();
    expectStatus(await cpAs(checker.token).post(`/v1/approvals/${id}/reject`, {}), 400, 'VALIDATION_FAILED');
    const rejected = await cpAs(checker.token).post(`/v1/approvals/${id}/reject`, { reason: 'duplicate refund' });
    expectStatus(rejected, 200);
    expect(rejected.body).toMatchObject({ status: 'REJECTED', reason: 'duplicate refund', checkerId: checker.id, result: null });
    expectStatus(await cpAs(checker.token).post(`/v1/approvals/${id}/approve`), 409, 'APPROVAL_NOT_PENDING');
    expect(receivedUnder(stack.upstream, '/refunds').filter((r) => r.headers['x-auth-approval-id'] === id)).toHaveLength(0);
    expect((await auditOf(stack.cp, id)).map((e) => e.action)).toEqual(['approval.requested', 'approval.rejected']);
  });

  it('never sends an expired request: expired on read and by the sweep', async () => {
    const onRead = await requestRefund();
    const bySweep = await requestRefund();
    const realNow = stack.cp.deps.now;
    // The control plane's clock moves past APPROVAL_TTL_HOURS (72 h by default).
    stack.cp.deps.now = () => new Date(Date.now() + 73 * 3600_000);
    try {
      expectStatus(await cpAs(checker.token).post(`/v1/approvals/${onRead}/approve`), 410, 'APPROVAL_EXPIRED');
      expect((await cpAs(maker.token).get(`/v1/approvals/${onRead}`)).body.status).toBe('EXPIRED');

      // The periodic sweep's work, run once.
      const { expireDue } = await import('../../src/approvals/store.ts');
      expect(await expireDue(stack.cp.deps.orm.em.fork(), stack.cp.deps.now(), { tenantId: world.tenantId })).toBeGreaterThanOrEqual(1);
      expect((await stack.cp.deps.orm.em.fork().findOneOrFail(Approval, bySweep)).status).toBe('EXPIRED');
      expectStatus(await cpAs(checker.token).post(`/v1/approvals/${bySweep}/reject`, { reason: 'late' }), 410, 'APPROVAL_EXPIRED');
    } finally {
      stack.cp.deps.now = realNow;
    }
    for (const id of [onRead, bySweep]) {
      expect(receivedUnder(stack.upstream, '/refunds').filter((r) => r.headers['x-auth-approval-id'] === id)).toHaveLength(0);
      const audit = await auditOf(stack.cp, id);
      expect(audit.map((e) => e.action)).toEqual(['approval.requested', 'approval.expired']);
      expect(audit[1]!.actor_id).toBeNull();
    }
  });

  it('records the upstream\'s answer: EXECUTED below 500, FAILED on 5xx', async () => {
    const notFound = await requestRefund('/refunds/status/404');
    const res404 = await cpAs(checker.token).post(`/v1/approvals/${notFound}/approve`);
    expect(res404.body).toMatchObject({ status: 'EXECUTED', result: { upstreamStatus: 404 } });

    const broken = await requestRefund('/refunds/status/503');
    const res503 = await cpAs(checker.token).post(`/v1/approvals/${broken}/approve`);
    expectStatus(res503, 200);
    expect(res503.body).toMatchObject({ status: 'FAILED', result: { upstreamStatus: 503 } });
    const audit = await auditOf(stack.cp, broken);
    expect(audit.at(-1)).toMatchObject({ action: 'approval.failed', after: { status: 'FAILED', upstreamStatus: 503 } });
  });

  it('fails, without sending, when the maker may no longer make the request', async () => {
    const leaver = await world.user({ acl: { refunds: 'RW' } });
    const res = await viaGateway(leaver.token).post('/refunds', { amount: 1 }, { 'x-merchant-id': world.m.direct });
    expectStatus(res, 202);
    await world.update.user(leaver.id, { status: 'DISABLED' });
    const approved = await cpAs(checker.token).post(`/v1/approvals/${res.body.approvalId}/approve`);
    expectStatus(approved, 200);
    expect(approved.body).toMatchObject({ status: 'FAILED', result: { code: 'MAKER_NOT_PERMITTED', reasons: ['USER_DISABLED'] } });
    expect(receivedUnder(stack.upstream, '/refunds').filter((r) => r.headers['x-auth-approval-id'] === res.body.approvalId)).toHaveLength(0);
  });

  it('keeps checkers to the merchants their context covers', async () => {
    const id = await requestRefund('/refunds', { amount: 5 }, world.m.other);
    const limited = await world.user({ acl: { refunds: 'CHECKER' }, merchantsAccess: [world.m.direct] });
    expectStatus(await cpAs(limited.token).post(`/v1/approvals/${id}/approve`), 403, 'MERCHANT_ACCESS_DENIED');
    expectStatus(await cpAs(limited.token).get(`/v1/approvals/${id}`), 404);
    expect((await cpAs(limited.token).get('/v1/approvals?status=PENDING')).body.items.map((a: { id: string }) => a.id)).not.toContain(id);

    // A reseller checker sees its merchants' requests only.
    const resellerChecker = await world.user({ type: 'RESELLER', acl: { refunds: 'CHECKER' } });
    const underR1 = await requestRefund('/refunds', { amount: 6 }, world.m.underR1);
    const queue = (await cpAs(resellerChecker.token).get('/v1/approvals?status=PENDING')).body.items.map((a: { id: string }) => a.id);
    expect(queue).toContain(underR1);
    expect(queue).not.toContain(id);
    expectStatus(await cpAs(resellerChecker.token).post(`/v1/approvals/${underR1}/approve`), 200);
  });

  it('bounds the stored body and holds only approval methods', async () => {
    const big = 'x'.repeat(stack.gw.deps.config.APPROVAL_MAX_BODY_BYTES + 1);
    const before = await stack.cp.deps.orm.em.fork().count(Approval, { makerId: maker.id });
    const res = await viaGateway(maker.token).post('/refunds', big, { 'x-merchant-id': world.m.direct, 'content-type': 'text/plain' });
    expectStatus(res, 413, 'PAYLOAD_TOO_LARGE');
    expect(await stack.cp.deps.orm.em.fork().count(Approval, { makerId: maker.id })).toBe(before);

    // PUT is a write of the route without `approval`: forwarded at once.
    const put = await viaGateway(maker.token).put('/refunds/r-1', { note: 'fix' });
    expect(put.status).toBe(200);
    expect(stack.upstream.last('/refunds/r-1')?.method).toBe('PUT');
  });
});
