// The entity switcher in the browser, with the tenant guide's two scenarios
// (6.6): a tenant support agent who can switch to every merchant, and a
// reseller manager limited to 20 of the reseller's 100 merchants who can switch
// only among them. After a switch the notice reads "Switched to MERCHANT
// Successfully!" and the screens show the new context.
import { describe, expect, it } from 'vitest';
import {
  createMerchant,
  createReseller,
  expectNoSeriousA11yViolations,
  openConsolePage,
  screenshot,
} from '../support/console/harness.ts';
import { activeUser, createRole, hasText, logIn, shown, useConsoleSuite } from '../support/console/admin-session.ts';

describe('console: entity switcher', () => {
  const suite = useConsoleSuite();

  it('scenario 1: a tenant support agent switches to any merchant of the tenant', async () => {
    const { stack, browser, tenant } = suite;
    const direct = await createMerchant(stack.cp.deps, tenant.id, { name: 'Direct Deli' });
    const reseller = await createReseller(stack.cp.deps, tenant.id);
    const underReseller = await createMerchant(stack.cp.deps, tenant.id, { name: 'Reseller Rugs', resellerId: reseller.id });
    const role = await createRole(tenant.api, { name: 'Tenant Support', scope: 'TENANT', acl: { orders: 'R', refunds: 'RW', users: 'R', merchants: 'R' } });
    const agent = await activeUser(stack, { tenantId: tenant.id, roleId: role.id, type: 'TENANT', merchantsAccess: [], email: `support-${Date.now()}@users.test` });

    const { page, problems } = await openConsolePage(browser, stack);
    await logIn(page, agent.email);
    await shown(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Merchants' }));
    await page.getByRole('button', { name: /^Tenant View/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Switch entity' });
    const list = dialog.getByRole('list', { name: 'Entities you can switch to' });
    await shown(list.getByRole('button', { name: new RegExp(underReseller.id) }));
    await shown(list.getByRole('button', { name: new RegExp(direct.id) }));
    await expectNoSeriousA11yViolations(page, 'entity switcher');
    await screenshot(page, 'switcher-tenant-agent');

    await dialog.getByLabel('Search entities').fill('Reseller Rugs');
    await expect.poll(() => list.getByRole('button', { name: new RegExp(direct.id) }).count()).toBe(0);
    await list.getByRole('button', { name: new RegExp(underReseller.id) }).click();
    await hasText(page.getByRole('status'), 'Switched to MERCHANT Successfully!');
    await shown(page.getByRole('button', { name: new RegExp(`^Merchant View ${underReseller.id}`) }));
    // Every screen reloads for the merchant: /v1/me answers the new context, so the tenant-level links are gone.
    await expect.poll(() => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Merchants' }).count()).toBe(0);
    await screenshot(page, 'switcher-switched');
    expect(problems).toEqual([]);
  }, 240_000);

  it('scenario 2: a reseller manager limited to 20 of 100 merchants switches only among those 20', async () => {
    const { stack, browser, tenant } = suite;
    const reseller = await createReseller(stack.cp.deps, tenant.id);
    const portfolio = [];
    for (let i = 0; i < 100; i++) portfolio.push(await createMerchant(stack.cp.deps, tenant.id, { resellerId: reseller.id, name: `Shop ${String(i).padStart(3, '0')}` }));
    const granted = portfolio.slice(0, 20);
    const withheld = portfolio[57]!;
    const role = await createRole(tenant.api, { name: 'Reseller Operations', scope: 'RESELLER', acl: { orders: 'R', merchants: 'R', users: 'R' } });
    const manager = await activeUser(stack, {
      tenantId: tenant.id,
      roleId: role.id,
      type: 'RESELLER',
      resellerId: reseller.id,
      merchantsAccess: granted.map((m) => m.id),
      email: `ops-${Date.now()}@users.test`,
    });

    const { page, problems } = await openConsolePage(browser, stack);
    await logIn(page, manager.email);
    await page.getByRole('button', { name: /^Reseller View/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Switch entity' });
    const list = dialog.getByRole('list', { name: 'Entities you can switch to' });
    await shown(list.getByRole('button', { name: new RegExp(granted[19]!.id) }));
    // The reseller itself and its 20 granted merchants, nothing else.
    await expect.poll(() => list.getByRole('listitem').count()).toBe(21);
    const offered = await list.getByRole('listitem').allTextContents();
    expect(offered.filter((t) => t.includes('MERCHANT')).length).toBe(20);
    await dialog.getByLabel('Search entities').fill(withheld.id);
    await shown(dialog.getByText('No entity matches this search.'));
    await screenshot(page, 'switcher-reseller-manager');

    await dialog.getByLabel('Search entities').fill(granted[7]!.id);
    await list.getByRole('button', { name: new RegExp(granted[7]!.id) }).click();
    await hasText(page.getByRole('status'), 'Switched to MERCHANT Successfully!');
    await shown(page.getByRole('button', { name: new RegExp(`^Merchant View ${granted[7]!.id}`) }));
    await expectNoSeriousA11yViolations(page, 'after a switch');
    expect(problems).toEqual([]);
  }, 300_000);
});
