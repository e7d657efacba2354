// The console's Users screens in a real browser against the real stack: the
// list, "Invite New User" with merchant access and advanced settings (the
// tenant guide 1.1, 6.2), the details' "More actions" menu where hard delete is
// offered only with user_hard_delete: RW (docs/domain.md#roles), axe on each screen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  createMerchant,
  expectNoSeriousA11yViolations,
  mailsTo,
  openBrowser,
  openConsolePage,
  screenshot,
  startConsoleStack,
  type ConsoleStack,
} from '../support/console/harness.ts';
import { absent, activeUser, createRole, hasText, logIn, pick, shown, tenantWithAdmin } from '../support/console/admin-session.ts';

describe('console: users', () => {
  let stack: ConsoleStack;
  let browser: Browser;
  let tenant: Awaited<ReturnType<typeof tenantWithAdmin>>;
  let merchants: { id: string; name: string }[];
  let supportRole: { id: string; name: string };
  let userAdminRole: { id: string; name: string };

  beforeAll(async () => {
    stack = await startConsoleStack();
    browser = await openBrowser();
    tenant = await tenantWithAdmin(stack);
    merchants = [];
    for (const name of ['Alpha Books', 'Beta Bikes', 'Gamma Games']) merchants.push(await createMerchant(stack.cp.deps, tenant.id, { name }));
    supportRole = await createRole(tenant.api, { name: 'Support Agent', scope: 'TENANT', acl: { users: 'R', orders: 'R', refunds: 'R' } });
    userAdminRole = await createRole(tenant.api, { name: 'User Admin', scope: 'TENANT', acl: { users: 'RW', roles: 'R', merchants: 'R' } });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('invites a user with merchant access, product and gateway restrictions, and the invitation is mailed', async () => {
    const { page, problems } = await openConsolePage(browser, stack);
    await logIn(page, tenant.adminEmail);
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('heading', { name: 'Users', level: 1, exact: true }).waitFor();
    await page.getByRole('cell', { name: tenant.adminEmail }).waitFor();
    await expectNoSeriousA11yViolations(page, 'users list');
    await screenshot(page, 'users-list');

    await page.getByRole('button', { name: 'Invite New User' }).click();
    await page.getByRole('heading', { name: 'Invite New User' }).waitFor();
    const email = `agent-${Date.now()}@users.test`;
    await page.getByLabel('Email', { exact: true }).fill(email);
    await pick(page, 'Role', 'Support Agent');
    // The searchable multi-select shows id and name, searched on the server.
    const [alpha, beta] = merchants as [{ id: string; name: string }, { id: string; name: string }];
    await pick(page, 'Merchant Access', `${alpha.id} — ${alpha.name}`, 'Alpha');
    await pick(page, 'Merchant Access', `${beta.id} — ${beta.name}`, beta.id);
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Advanced Settings' }).click();
    await page.getByLabel('Product IDs').fill('prod-cards, prod-upi');
    await page.getByLabel('Gateway Reference IDs').fill('gw-eu-1');
    await expectNoSeriousA11yViolations(page, 'invite form');
    await screenshot(page, 'users-invite');
    await page.getByRole('button', { name: 'Send Invite' }).click();

    await page.getByRole('heading', { name: email, level: 1 }).waitFor();
    await hasText(page.getByRole('status'), `Invitation sent to ${email}.`);
    const listed = await tenant.api.get(`/v1/users?q=${encodeURIComponent(email)}&limit=5`);
    const user = listed.body.items.find((u: { email: string }) => u.email === email);
    expect(user).toMatchObject({
      status: 'INVITED',
      type: 'TENANT',
      roleId: supportRole.id,
      productIds: ['prod-cards', 'prod-upi'],
      gatewayRefIds: ['gw-eu-1'],
    });
    expect([...user.merchantsAccess].sort()).toEqual([alpha.id, beta.id].sort());
    expect((await mailsTo(email)).some((m) => m.text.includes('/invitations/accept?token='))).toBe(true);
    // The details show what was granted, and an invited user can be sent a new link.
    await shown(page.getByText(`${alpha.id}, ${beta.id}`).or(page.getByText(`${beta.id}, ${alpha.id}`)));
    await shown(page.getByRole('button', { name: 'Resend Invitation' }));
    await expectNoSeriousA11yViolations(page, 'user details');
    await screenshot(page, 'users-details');
    expect(problems).toEqual([]);
  }, 240_000);

  it('filters the list on the server by search and status', async () => {
    const other = await activeUser(stack, { tenantId: tenant.id, roleId: supportRole.id, type: 'TENANT', email: `filter-${Date.now()}@users.test` });
    const { page, problems } = await openConsolePage(browser, stack);
    await logIn(page, tenant.adminEmail);
    await page.goto('/users');
    await page.getByLabel('Search').fill(other.email);
    await expect.poll(() => page.getByRole('row').count()).toBe(2); // header + the one match
    await shown(page.getByRole('cell', { name: other.email }));
    await page.getByLabel('Search').fill('');
    await pick(page, 'Status', 'INVITED');
    await absent(page.getByRole('cell', { name: other.email }));
    await absent(page.getByRole('cell', { name: tenant.adminEmail }));
    expect(problems).toEqual([]);
  }, 240_000);

  it('offers Delete User only with user_hard_delete: RW, and deletes after a typed confirmation', async () => {
    const target = await activeUser(stack, { tenantId: tenant.id, roleId: supportRole.id, type: 'TENANT', email: `target-${Date.now()}@users.test` });
    const admin2 = await activeUser(stack, { tenantId: tenant.id, roleId: userAdminRole.id, type: 'TENANT', email: `useradmin-${Date.now()}@users.test` });

    // users: RW without user_hard_delete: the menu has Update Email, not Delete User.
    const limited = await openConsolePage(browser, stack);
    await logIn(limited.page, admin2.email);
    await limited.page.goto(`/users/${target.id}`);
    await limited.page.getByRole('heading', { name: target.email }).waitFor();
    await limited.page.getByRole('button', { name: 'More actions' }).click();
    await shown(limited.page.getByRole('menuitem', { name: 'Update Email' }));
    await absent(limited.page.getByRole('menuitem', { name: 'Delete User' }));
    await limited.page.keyboard.press('Escape');
    await shown(limited.page.getByRole('button', { name: 'Soft Delete' }));
    await limited.context.close();

    // The Tenant Admin holds it: typed confirmation, then the user is gone.
    const { page, problems } = await openConsolePage(browser, stack);
    await logIn(page, tenant.adminEmail);
    await page.goto(`/users/${target.id}`);
    await page.getByRole('heading', { name: target.email }).waitFor();
    await page.getByRole('button', { name: 'More actions' }).click();
    await page.getByRole('menuitem', { name: 'Delete User' }).click();
    // The menu fades out after the click; axe run meanwhile sees a menu already emptied of its items.
    await absent(page.getByRole('menu'));
    const dialog = page.getByRole('dialog', { name: 'Delete User' });
    const confirm = dialog.getByRole('button', { name: 'Delete User' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('Type the user’s email to confirm').fill(target.email);
    await expectNoSeriousA11yViolations(page, 'hard delete dialog');
    await screenshot(page, 'users-hard-delete');
    await confirm.click();
    await page.getByRole('heading', { name: 'Users', level: 1, exact: true }).waitFor();
    expect((await tenant.api.get(`/v1/users/${target.id}`)).status).toBe(404);
    expect(problems).toEqual([]);
  }, 240_000);

  it('an invitation held for a checker (202) says so and opens the approval, not a user that does not exist yet', async () => {
    // A tenant of its own that requires a checker for level raises: any role granting something is one.
    const held = await tenantWithAdmin(stack);
    expect((await held.api.patch('/v1/tenants/current/approval-settings', { roleLevelRaise: true })).status).toBe(200);
    await createRole(held.api, { name: 'Support Agent', scope: 'TENANT', acl: { users: 'R', orders: 'R' } });
    const email = `held-${Date.now()}@users.test`;
    const { page, problems } = await openConsolePage(browser, stack);
    await logIn(page, held.adminEmail);
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('button', { name: 'Invite New User' }).click();
    await page.getByRole('heading', { name: 'Invite New User' }).waitFor();
    await page.getByLabel('Email', { exact: true }).fill(email);
    await pick(page, 'Role', 'Support Agent');
    await page.getByRole('button', { name: 'Send Invite' }).click();

    await hasText(page.getByRole('status'), 'The invitation grants a role, so it waits for a checker’s approval (see Approvals).');
    await expect.poll(() => new URL(page.url()).pathname).toMatch(/^\/approvals\/[^/]+$/);
    const approvalId = new URL(page.url()).pathname.split('/')[2]!;
    expect((await held.api.get(`/v1/approvals/${approvalId}`)).body.status).toBe('PENDING');
    expect((await held.api.get(`/v1/users?q=${encodeURIComponent(email)}&limit=5`)).body.items).toEqual([]);
    expect(problems).toEqual([]);
  }, 240_000);
});
