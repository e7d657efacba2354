// Maker-checker in the browser: a maker's refund held by the real gateway (202)
// waits for a checker, who finds it under "Waiting for me", opens it and
// approves it; the refund then reaches the upstream. The maker sees it in
// "My requests" without Approve or Reject.
import { describe, expect, it } from 'vitest';
import { tokenFor } from '../support/fixtures.ts';
import {
  client,
  createMerchant,
  expectNoSeriousA11yViolations,
  openConsolePage,
  screenshot,
} from '../support/console/harness.ts';
import { activeUser, createRole, hasText, logIn, shown, useConsoleSuite } from '../support/console/admin-session.ts';

describe('console: approvals', () => {
  const suite = useConsoleSuite();

  it('a checker approves a held refund, which then reaches the upstream', async () => {
    const { stack, browser, tenant } = suite;
    const merchant = await createMerchant(stack.cp.deps, tenant.id, { name: 'Refund Shop' });
    const stamp = Date.now();
    const makerRole = await createRole(tenant.api, { name: 'Refund Maker', scope: 'TENANT', acl: { refunds: 'RW', orders: 'R', approvals: 'R' } });
    const checkerRole = await createRole(tenant.api, { name: 'Refund Checker', scope: 'TENANT', acl: { refund_approvals: 'CHECKER', refunds: 'R', approvals: 'R' } });
    const maker = await activeUser(stack, { tenantId: tenant.id, roleId: makerRole.id, type: 'TENANT', email: `maker-${stamp}@users.test` });
    const checker = await activeUser(stack, { tenantId: tenant.id, roleId: checkerRole.id, type: 'TENANT', email: `checker-${stamp}@users.test` });

    const held = await client(stack.gw.url, await tokenFor(stack.cp.deps, maker.id)).post(
      '/refunds',
      { amount: 1250, currency: 'EUR', orderId: `o-${stamp}` },
      { 'x-merchant-id': merchant.id },
    );
    expect(held.status).toBe(202);
    const approvalId = held.body.approvalId as string;
    const reachedUpstream = () => stack.upstream.received.filter((r: { url: string; headers: Record<string, unknown> }) => r.url.startsWith('/refunds') && r.headers['x-auth-approval-id'] === approvalId).length;
    expect(reachedUpstream()).toBe(0);

    // The maker sees it under "My requests" and cannot decide it.
    const makerPage = await openConsolePage(browser, stack);
    await logIn(makerPage.page, maker.email);
    await makerPage.page.getByRole('link', { name: 'Approvals', exact: true }).click();
    await makerPage.page.getByRole('tab', { name: 'My requests' }).click();
    await makerPage.page.getByRole('link', { name: 'POST /refunds' }).click();
    await shown(makerPage.page.getByText('This is your own request'));
    expect(await makerPage.page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await makerPage.context.close();

    const { page, problems } = await openConsolePage(browser, stack);
    await logIn(page, checker.email);
    await page.getByRole('link', { name: 'Approvals', exact: true }).click();
    await page.getByRole('heading', { name: 'Approvals', level: 1, exact: true }).waitFor();
    await shown(page.getByRole('link', { name: 'POST /refunds' }));
    await expectNoSeriousA11yViolations(page, 'approvals list');
    await screenshot(page, 'approvals-waiting');
    await page.getByRole('link', { name: 'POST /refunds' }).click();
    await page.getByRole('heading', { name: 'POST /refunds', level: 1 }).waitFor();
    await shown(page.getByRole('button', { name: 'Reject' }));
    await expectNoSeriousA11yViolations(page, 'approval details');
    await screenshot(page, 'approvals-details');
    await page.getByRole('button', { name: 'Approve' }).click();
    await hasText(page.getByRole('status'), 'The request is approved and was carried out.');
    const asChecker = client(stack.url, await tokenFor(stack.cp.deps, checker.id));
    expect((await asChecker.get(`/v1/approvals/${approvalId}`)).body.status).toBe('EXECUTED');
    expect(reachedUpstream()).toBe(1);
    expect(problems).toEqual([]);
  }, 300_000);
});
