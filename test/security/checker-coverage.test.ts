// Issue 17, findings 4, 18 and 5: who may decide a held request. The access
// matrix's "checker coverage" dimension: a checker must cover everything the
// held request will do upstream — one naming no merchant made in the TENANT
// context acts on `*`, one made in a RESELLER context on every merchant of that
// reseller, one naming a merchant on that merchant — so kinds of checker ×
// shapes of held request, through a real gateway and control plane. And four
// eyes: nobody decides a request whose maker appointed them after making it.
//
// OWASP ASVS 5.0 V8.2.2, V2.3.5 (multi-user approval for high-value flows);
// OWASP API Security Top 10 2023 API1, API5; CWE-863.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContextType } from '../../src/roles/role.entity.ts';
import { tokenFor, uniqueId } from '../support/fixtures.ts';
import { seedMerchant, seedReseller } from '../support/seed.ts';
import { gatewayWorld, type GatewayWorld } from '../support/worlds/gateway.ts';
import { client, receivedUnder, startApprovalStack, type ApprovalStack } from '../support/approval-stack.ts';
import { expectStatus } from '../support/expect.ts';

let stack: ApprovalStack;
let world: GatewayWorld;

beforeAll(async () => {
  stack = await startApprovalStack();
  world = await gatewayWorld(stack.cp.deps);
  const em = stack.cp.deps.orm.em.fork();
  const r2 = seedReseller(em, { id: uniqueId('r2'), tenantId: world.tenantId, name: 'Reseller Two' }).id;
  seedMerchant(em, { id: uniqueId('m4'), tenantId: world.tenantId, resellerId: r2, name: 'Under R2' });
  await em.flush();
});
afterAll(async () => {
  await stack?.close();
});

const viaGateway = (token: string) => client(stack.gw.url, token);
const cpAs = (token: string) => client(stack.cp.url, token);

/** A refund held by the gateway for `makerToken`, naming `merchant` or none; its approval id. */
async function hold(makerToken: string, merchant?: string): Promise<string> {
  const res = await viaGateway(makerToken).post(`/refunds?case=${uniqueId('c')}`, { amount: 1 }, merchant === undefined ? {} : { 'x-merchant-id': merchant });
  expectStatus(res, 202);
  return res.body.approvalId as string;
}

describe('findings 4 and 18: checker coverage', () => {
  const shapes = ['tenantWide', 'resellerWide', 'namedDirect', 'namedUnderR1', 'merchantCtx'] as const;
  type Shape = (typeof shapes)[number];
  const checkers = ['tenantAll', 'tenantListedDirect', 'tenantListedR1', 'tenantAllInR1', 'tenantListedInR1', 'resellerAll', 'resellerListed', 'tenantInMerchantCtx', 'merchantUser'] as const;
  type Checker = (typeof checkers)[number];
  /** What each checker covers (docs/domain.md (creation, roles); issue 17 findings 4 and 18). */
  const covers: Record<Checker, Shape[]> = {
    tenantAll: ['tenantWide', 'resellerWide', 'namedDirect', 'namedUnderR1', 'merchantCtx'],
    tenantListedDirect: ['namedDirect', 'merchantCtx'],
    tenantListedR1: ['namedUnderR1'],
    tenantAllInR1: ['resellerWide', 'namedUnderR1'],
    tenantListedInR1: ['namedUnderR1'],
    resellerAll: ['resellerWide', 'namedUnderR1'],
    resellerListed: ['namedUnderR1'],
    tenantInMerchantCtx: ['namedDirect', 'merchantCtx'],
    merchantUser: ['namedDirect', 'merchantCtx'],
  };
  const tokens = {} as Record<Checker, string>;
  const makers = {} as Record<Shape, string>;

  beforeAll(async () => {
    const maker = await world.user({ acl: { refunds: 'RW' } });
    const makerIn = async (ctx: { type: ContextType; id: string }) => tokenFor(stack.cp.deps, maker.id, ctx);
    makers.tenantWide = maker.token;
    makers.resellerWide = await makerIn({ type: 'RESELLER', id: world.r1 });
    makers.namedDirect = maker.token;
    makers.namedUnderR1 = maker.token;
    makers.merchantCtx = await makerIn({ type: 'MERCHANT', id: world.m.direct });
    const acl = { refunds: 'CHECKER' as const };
    const r1 = { type: 'RESELLER' as const, id: world.r1 };
    tokens.tenantAll = (await world.user({ acl })).token;
    tokens.tenantListedDirect = (await world.user({ acl, merchantsAccess: [world.m.direct] })).token;
    tokens.tenantListedR1 = (await world.user({ acl, merchantsAccess: [world.m.underR1] })).token;
    tokens.tenantAllInR1 = (await world.user({ acl }, r1)).token;
    tokens.tenantListedInR1 = (await world.user({ acl, merchantsAccess: [world.m.underR1] }, r1)).token;
    tokens.resellerAll = (await world.user({ type: 'RESELLER', acl })).token;
    tokens.resellerListed = (await world.user({ type: 'RESELLER', acl, merchantsAccess: [world.m.underR1] })).token;
    tokens.tenantInMerchantCtx = (await world.user({ acl }, { type: 'MERCHANT', id: world.m.direct })).token;
    tokens.merchantUser = (await world.user({ type: 'MERCHANT', merchantId: world.m.direct, acl })).token;
  });

  it('lets a checker decide exactly the held requests it covers', async () => {
    const wrong: string[] = [];
    for (const shape of shapes) {
      for (const checker of checkers) {
        const merchant = shape === 'namedDirect' ? world.m.direct : shape === 'namedUnderR1' ? world.m.underR1 : undefined;
        const id = await hold(makers[shape], merchant);
        // Rejecting is decided by the same rule as approving, and runs nothing.
        const res = await cpAs(tokens[checker]).post(`/v1/approvals/${id}/reject`, { reason: 'coverage matrix' });
        const want = covers[checker].includes(shape) ? 200 : 403;
        if (res.status !== want) wrong.push(`${checker} on ${shape}: want ${want}, got ${res.status} ${res.body?.code ?? ''}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('a merchant-restricted checker cannot approve a tenant-wide refund; one covering the tenant can, and the upstream gets `*`', async () => {
    const id = await hold(makers.tenantWide);
    const denied = await cpAs(tokens.tenantListedDirect).post(`/v1/approvals/${id}/approve`);
    expectStatus(denied, 403, 'MERCHANT_ACCESS_DENIED');
    expect(receivedUnder(stack.upstream, '/refunds').filter((r) => r.headers['x-auth-approval-id'] === id)).toHaveLength(0);
    expectStatus(await cpAs(tokens.tenantAll).post(`/v1/approvals/${id}/approve`), 200);
    const sent = receivedUnder(stack.upstream, '/refunds').filter((r) => r.headers['x-auth-approval-id'] === id);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers).toMatchObject({ 'x-auth-merchant-scope': '*', 'x-auth-product-scope': '*', 'x-auth-gateway-scope': '*' });
  });

  it('a reseller-wide refund is approved by a checker reaching all of the reseller, and the upstream gets reseller:<id>', async () => {
    const id = await hold(makers.resellerWide);
    expectStatus(await cpAs(tokens.tenantListedInR1).post(`/v1/approvals/${id}/approve`), 403, 'MERCHANT_ACCESS_DENIED');
    expectStatus(await cpAs(tokens.resellerListed).post(`/v1/approvals/${id}/approve`), 403, 'MERCHANT_ACCESS_DENIED');
    expectStatus(await cpAs(tokens.resellerAll).post(`/v1/approvals/${id}/approve`), 200);
    const sent = receivedUnder(stack.upstream, '/refunds').filter((r) => r.headers['x-auth-approval-id'] === id);
    expect(sent[0]!.headers['x-auth-merchant-scope']).toBe(`reseller:${world.r1}`);
  });
});

describe('finding 5: nobody decides a request whose maker appointed them after making it', () => {
  it('a maker who creates a CHECKER role and gives it to a colleague after the request cannot have it approved by them', async () => {
    const maker = await world.user({ acl: { refunds: 'RW', roles: 'RW', users: 'RW', orders: 'R' } });
    const colleague = await world.user({ acl: { orders: 'R' } });
    const id = await hold(maker.token, world.m.direct);

    const role = await cpAs(maker.token).post('/v1/roles', { name: uniqueId('checkers'), scope: 'TENANT', acl: { refunds: 'CHECKER' } });
    expectStatus(role, 201);
    expectStatus(await cpAs(maker.token).patch(`/v1/users/${colleague.id}/role`, { roleId: role.body.id }), 200);

    const token = await tokenFor(stack.cp.deps, colleague.id);
    const res = await cpAs(token).post(`/v1/approvals/${id}/approve`);
    expectStatus(res, 403, 'SOD_VIOLATION');
    expect(receivedUnder(stack.upstream, '/refunds').filter((r) => r.headers['x-auth-approval-id'] === id)).toHaveLength(0);
    // Nor does the request show in the appointed checker's queue.
    const queue = await cpAs(token).get('/v1/approvals?status=PENDING');
    expect(queue.body.items.map((a: { id: string }) => a.id)).not.toContain(id);

    // A checker the maker did not appoint decides it.
    const independent = await world.user({ acl: { refunds: 'CHECKER' } });
    expectStatus(await cpAs(independent.token).post(`/v1/approvals/${id}/approve`), 200);
  });

  it('a checker appointed by the maker before the request, or by someone else after it, may decide it', async () => {
    const maker = await world.user({ acl: { refunds: 'RW', roles: 'RW', users: 'RW', orders: 'R' } });
    const admin = await world.user({ acl: { roles: 'RW', users: 'RW', orders: 'R', refunds: 'CHECKER' } });
    const checkerRole = await world.role({ refunds: 'CHECKER' });
    const early = await world.user({ acl: { orders: 'R' } });
    const late = await world.user({ acl: { orders: 'R' } });
    expectStatus(await cpAs(maker.token).patch(`/v1/users/${early.id}/role`, { roleId: checkerRole.id }), 200);
    const first = await hold(maker.token, world.m.direct);
    const second = await hold(maker.token, world.m.direct);
    expectStatus(await cpAs(admin.token).patch(`/v1/users/${late.id}/role`, { roleId: checkerRole.id }), 200);
    expectStatus(await cpAs(await tokenFor(stack.cp.deps, early.id)).post(`/v1/approvals/${first}/approve`), 200);
    expectStatus(await cpAs(await tokenFor(stack.cp.deps, late.id)).post(`/v1/approvals/${second}/approve`), 200);
  });
});
