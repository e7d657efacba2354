// "Update Merchant Access" in the browser (tenant guide 4.3, 6.5): each refusal
// of the API is shown as a sentence (unchanged, out of scope, user not active),
// and the button is not offered where the API would refuse outright (oneself,
// MERCHANT context).
import { describe, expect, it } from 'vitest';
import {
  createMerchant,
  createReseller,
  expectNoSeriousA11yViolations,
  inviteUser,
  openConsolePage,
  screenshot,
} from '../support/console/harness.ts';
import { activeUser, hasText, logIn, pick, shown, useConsoleSuite } from '../support/console/admin-session.ts';

describe('console: merchant access', () => {
  const suite = useConsoleSuite();

  it('shows each refusal as a sentence, and updates when the change is allowed', async () => {
    const { stack, browser, tenant } = suite;
    const reseller = await createReseller(stack.cp.deps, tenant.id);
    const [m1, m2] = [
      await createMerchant(stack.cp.deps, tenant.id, { resellerId: reseller.id, name: 'Inside One' }),
      await createMerchant(stack.cp.deps, tenant.id, { resellerId: reseller.id, name: 'Inside Two' }),
    ];
    const outside = await createMerchant(stack.cp.deps, tenant.id, { name: 'Outside Outlet' });
    const stamp = Date.now();
    const target = await activeUser(stack, {
      tenantId: tenant.id,
      roleId: tenant.roles.RESELLER.id,
      type: 'RESELLER',
      resellerId: reseller.id,
      merchantsAccess: [m1.id],
      email: `reseller-user-${stamp}@users.test`,
    });
    const invited = await inviteUser(stack.cp.deps, { tenantId: tenant.id, roleId: tenant.roles.TENANT.id, type: 'TENANT', email: `invited-${stamp}@users.test` });

    const { page, problems } = await openConsolePage(browser, stack);
    await logIn(page, tenant.adminEmail);
    await page.goto(`/users/${target.id}`);
    await page.getByRole('button', { name: 'Update Merchant Access' }).click();
    const dialog = page.getByRole('dialog', { name: 'Update Merchant Access' });
    await shown(dialog.getByRole('cell', { name: m1.id }));
    await expectNoSeriousA11yViolations(page, 'merchant access dialog');
    await screenshot(page, 'merchant-access-dialog');

    // Unchanged.
    await dialog.getByRole('button', { name: 'Update Merchant Access' }).click();
    await hasText(dialog.getByRole('alert'), 'The merchant access is the same as before.');
    // Outside the reseller.
    await pick(page, 'Merchant Access', new RegExp(outside.id), outside.id);
    await page.keyboard.press('Escape');
    await dialog.getByRole('button', { name: 'Update Merchant Access' }).click();
    await hasText(dialog.getByRole('alert'), 'outside your scope');
    await screenshot(page, 'merchant-access-refused');
    // Allowed: remove the outsider, add the second merchant of the reseller.
    await dialog.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Update Merchant Access' }).click();
    await pick(page, 'Merchant Access', new RegExp(m2.id), m2.id);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Update Merchant Access' }).getByRole('button', { name: 'Update Merchant Access' }).click();
    await hasText(page.getByRole('status'), 'Merchant access is updated.');
    expect([...(await tenant.api.get(`/v1/users/${target.id}`)).body.merchantsAccess].sort()).toEqual([m1.id, m2.id].sort());

    // Not ACTIVE.
    await page.goto(`/users/${invited.id}`);
    await page.getByRole('button', { name: 'Update Merchant Access' }).click();
    await pick(page, 'Merchant Access', new RegExp(m1.id), m1.id);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Update Merchant Access' }).getByRole('button', { name: 'Update Merchant Access' }).click();
    await hasText(page.getByRole('dialog').getByRole('alert'), 'This can only be done for an active user.');

    // Oneself: not offered (SELF_MODIFICATION), and the page says why.
    await page.goto(`/users/${tenant.admin.id}`);
    await page.getByRole('heading', { name: tenant.adminEmail, level: 1 }).waitFor();
    expect(await page.getByRole('button', { name: 'Update Merchant Access' }).count()).toBe(0);
    await shown(page.getByText('This is your own account'));
    expect(problems).toEqual([]);
  }, 300_000);

  it('is not offered in MERCHANT context', async () => {
    const { stack, browser, tenant } = suite;
    const merchant = await createMerchant(stack.cp.deps, tenant.id, { name: 'Solo Shop' });
    const stamp = Date.now();
    const admin = await activeUser(stack, { tenantId: tenant.id, roleId: tenant.roles.MERCHANT.id, type: 'MERCHANT', merchantId: merchant.id, email: `madmin-${stamp}@users.test` });
    const colleague = await activeUser(stack, { tenantId: tenant.id, roleId: tenant.roles.MERCHANT.id, type: 'MERCHANT', merchantId: merchant.id, email: `mcolleague-${stamp}@users.test` });
    const { page, problems } = await openConsolePage(browser, stack);
    await logIn(page, admin.email);
    await shown(page.getByRole('button', { name: new RegExp(`^Merchant View ${merchant.id}`) }));
    await page.goto(`/users/${colleague.id}`);
    await page.getByRole('heading', { name: colleague.email, level: 1 }).waitFor();
    await shown(page.getByRole('button', { name: 'Update Role' }));
    expect(await page.getByRole('button', { name: 'Update Merchant Access' }).count()).toBe(0);
    expect(problems).toEqual([]);
  }, 240_000);
});
