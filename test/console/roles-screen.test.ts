// Roles in the browser: the matrix offers no level above the caller's own
// (no escalation), a separation-of-duties pair is refused and named as a
// sentence, and the created role's details show the whole matrix (guide 7).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { expectNoSeriousA11yViolations, openBrowser, openConsolePage, screenshot, startConsoleStack, type ConsoleStack } from '../support/console/harness.ts';
import { activeUser, createRole, hasText, logIn, shown, tenantWithAdmin } from '../support/console/admin-session.ts';

const optionsOf = async (page: Page, module: string) =>
  (await page.getByRole('radiogroup', { name: module, exact: true }).getByRole('radio').all()).length > 0
    ? Promise.all((await page.getByRole('radiogroup', { name: module, exact: true }).getByRole('radio').all()).map(async (r) => (await r.getAttribute('value')) ?? ''))
    : [];

describe('console: roles', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let tenant: Awaited<ReturnType<typeof tenantWithAdmin>>;
  let managerEmail: string;

  beforeAll(async () => {
    stack = await startConsoleStack();
    browser = await openBrowser();
    tenant = await tenantWithAdmin(stack);
    // A role manager who holds orders: R, refunds: RW and refund_approvals: RW (may appoint checkers), nothing on payments.
    const role = await createRole(tenant.api, {
      name: 'Role Manager',
      scope: 'TENANT',
      acl: { roles: 'RW', users: 'R', orders: 'R', refunds: 'RW', refund_approvals: 'RW' },
    });
    managerEmail = (await activeUser(stack, { tenantId: tenant.id, roleId: role.id, type: 'TENANT', email: `roles-${Date.now()}@users.test` })).email;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('offers only levels within the caller’s own, names an SoD pair when refused, then creates the role', async () => {
    const { page, problems } = await openConsolePage(browser, stack);
    await logIn(page, managerEmail);
    await page.getByRole('link', { name: 'Roles', exact: true }).click();
    await page.getByRole('heading', { name: 'Roles', level: 1, exact: true }).waitFor();
    await shown(page.getByRole('cell', { name: /Role Manager/ }));
    await expectNoSeriousA11yViolations(page, 'roles list');
    await screenshot(page, 'roles-list');

    await page.getByRole('button', { name: 'Create New Role' }).click();
    await shown(page.getByRole('radiogroup', { name: 'orders', exact: true }));
    // No escalation: orders R gives NA and R; payments NA gives NA only; RW on refunds gives every level.
    expect(await optionsOf(page, 'orders')).toEqual(['NA', 'R']);
    expect(await optionsOf(page, 'payments')).toEqual(['NA']);
    expect(await optionsOf(page, 'refunds')).toEqual(['NA', 'R', 'RW', 'CHECKER']);
    expect(await optionsOf(page, 'audit')).toEqual(['NA']);

    await page.getByLabel('Role name').fill('Refund Desk');
    const group = (m: string) => page.getByRole('radiogroup', { name: m, exact: true });
    await group('refunds').getByRole('radio', { name: 'RW', exact: true }).check();
    await group('refund_approvals').getByRole('radio', { name: 'CHECKER', exact: true }).check();
    await group('orders').getByRole('radio', { name: 'R', exact: true }).check();
    await page.getByRole('button', { name: 'Create role' }).click();
    const alert = page.getByRole('alert');
    await hasText(alert, 'separation-of-duties');
    await hasText(alert, 'refund-maker-checker');
    await expectNoSeriousA11yViolations(page, 'role editor with SoD refusal');
    await screenshot(page, 'roles-sod-refused');

    await group('refund_approvals').getByRole('radio', { name: 'NA', exact: true }).check();
    await page.getByRole('button', { name: 'Create role' }).click();
    await page.getByRole('heading', { name: 'Refund Desk', level: 1, exact: true }).waitFor();
    const matrix = page.getByRole('table', { name: 'Permission matrix' });
    await hasText(matrix.getByRole('row').filter({ hasText: 'refunds' }).first(), 'RW');
    const modules = (await tenant.api.get('/v1/modules')).body.items as unknown[];
    expect(await matrix.getByRole('row').count()).toBe(modules.length + 1);
    await shown(page.getByRole('switch', { name: 'Is Enabled' }));
    await shown(page.getByRole('button', { name: 'Delete Role' }));
    await expectNoSeriousA11yViolations(page, 'role details');
    await screenshot(page, 'roles-details');

    const created = (await tenant.api.get('/v1/roles?q=Refund%20Desk&limit=5')).body.items[0];
    expect(created.acl).toMatchObject({ refunds: 'RW', orders: 'R', refund_approvals: 'NA' });
    expect(problems).toEqual([]);
  }, 240_000);

  it('does not offer Delete Role while users hold the role, and says to reassign them first', async () => {
    const { page, problems } = await openConsolePage(browser, stack);
    await logIn(page, tenant.adminEmail);
    const used = (await tenant.api.get('/v1/roles?q=Role%20Manager&limit=5')).body.items[0];
    await page.goto(`/roles/${used.id}`);
    await page.getByRole('heading', { name: 'Role Manager', level: 1, exact: true }).waitFor();
    await shown(page.getByRole('button', { name: 'Edit Role' }));
    await shown(page.getByRole('button', { name: 'Clone' }));
    expect(await page.getByRole('button', { name: 'Delete Role' }).count()).toBe(0);
    await hasText(page.getByRole('alert'), 'Reassign its 1 active user to another role first');
    await shown(page.getByRole('link', { name: managerEmail }));
    expect(problems).toEqual([]);
  }, 240_000);
});
