// Resellers and merchants in the browser (guides 4 and 5): the list searches
// server side and opens an entity's details; a tenant administrator creates a
// reseller from the list, is told so and lands on it, edits it, and sees a
// merchant's details with a way back to the list. Both screens share one
// implementation (console/src/screens/entities/EntityPages.tsx).
import { describe, expect, it } from 'vitest';
import { createMerchant, createReseller, expectNoSeriousA11yViolations, openConsolePage } from '../support/console/harness.ts';
import { absent, hasText, logIn, shown, useConsoleSuite } from '../support/console/admin-session.ts';

describe('console: resellers and merchants', () => {
  const suite = useConsoleSuite();

  it('creates a reseller from the list, lands on its details and edits it', async () => {
    const { stack, browser, tenant } = suite;
    const { page, problems } = await openConsolePage(browser, stack);
    await logIn(page, tenant.adminEmail);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Resellers' }).click();
    await shown(page.getByRole('table', { name: 'Resellers' }));
    await expectNoSeriousA11yViolations(page, 'resellers list');

    const id = `r-${Date.now().toString(36)}`;
    await page.getByRole('button', { name: 'Create Reseller' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create Reseller' });
    await dialog.getByLabel('Reseller ID').fill(id);
    await dialog.getByLabel('Name', { exact: true }).fill('Northwind Partners');
    await dialog.getByLabel('Email', { exact: true }).fill(`admin@${id}.test`);
    await dialog.getByLabel('Reseller type').fill('ISO');
    await dialog.getByRole('button', { name: 'Create reseller' }).click();
    await hasText(page.getByRole('status'), `Reseller ${id} is created. Its administrator was invited at its email.`);
    await shown(page.getByRole('heading', { name: 'Northwind Partners' }));
    expect(new URL(page.url()).pathname).toBe(`/resellers/${id}`);

    await page.getByRole('button', { name: 'Edit Reseller' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Reseller' });
    await edit.getByLabel('Name', { exact: true }).fill('Northwind Partners Ltd');
    await edit.getByRole('button', { name: 'Save reseller' }).click();
    await hasText(page.getByRole('status'), 'The reseller is saved.');
    await shown(page.getByRole('heading', { name: 'Northwind Partners Ltd' }));
    expect(problems).toEqual([]);
  }, 240_000);

  it('searches merchants server side and shows one merchant’s details, with a way back', async () => {
    const { stack, browser, tenant } = suite;
    const reseller = await createReseller(stack.cp.deps, tenant.id);
    const wanted = await createMerchant(stack.cp.deps, tenant.id, { name: 'Harbour Bakery', resellerId: reseller.id });
    const other = await createMerchant(stack.cp.deps, tenant.id, { name: 'Summit Outfitters' });
    const { page, problems } = await openConsolePage(browser, stack);
    await logIn(page, tenant.adminEmail);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Merchants' }).click();
    const table = page.getByRole('table', { name: 'Merchants' });
    await shown(table.getByRole('link', { name: other.id }));

    await page.getByLabel('Search').fill('Harbour');
    await absent(table.getByRole('link', { name: other.id }));
    await table.getByRole('link', { name: wanted.id }).click();
    await shown(page.getByRole('heading', { name: 'Harbour Bakery' }));
    await shown(page.getByText(reseller.id, { exact: true }));
    await expectNoSeriousA11yViolations(page, 'merchant details');
    await page.getByRole('link', { name: '← Back to merchants' }).click();
    await shown(page.getByRole('table', { name: 'Merchants' }));
    expect(problems).toEqual([]);
  }, 240_000);
});
