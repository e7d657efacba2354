// The console's session in a real browser (docs/console.md): the access token in
// memory only, the refresh token in an HttpOnly cookie that a reload uses to
// restore the session, logout ending it and clearing the cookie, a strict CSP
// on every page with no violation, nothing token-like in browser storage.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  BROWSER_TEST_TIMEOUT,
  browserStorage,
  cspViolations,
  expectNoTokensInStorage,
  openBrowser,
  openConsolePage,
  refreshCookie,
  screenshot,
  seedTenant,
  startConsoleStack,
  type ConsoleStack,
  type SeededTenant,
} from '../support/console/harness.ts';

let stack: ConsoleStack;
let browser: Browser;
let tenant: SeededTenant;
beforeAll(async () => {
  stack = await startConsoleStack();
  browser = await openBrowser();
  tenant = await seedTenant(stack, { mfaRequired: false });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('the console session', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  it('survives a reload, keeps tokens out of storage, and ends at logout with the cookie gone', async () => {
    const { page, context, problems } = await openConsolePage(browser, stack);
    const first = await page.goto('/login');
    const csp = first?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(first?.headers()['x-content-type-options']).toBe('nosniff');

    await page.getByLabel('Email', { exact: true }).fill(tenant.adminEmail);
    await page.getByLabel('Password', { exact: true }).fill(tenant.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
    const cookie = await refreshCookie(context);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/v1/auth', secure: false });

    // Storage: nothing token-like, and the page never sees the cookie.
    await expectNoTokensInStorage(page);
    expect((await browserStorage(page)).filter((e) => e.value.includes(cookie!.value))).toEqual([]);

    // A reload keeps the session (the cookie is rotated by the refresh).
    const url = page.url();
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
    expect(page.url()).toBe(url);
    await expect.poll(async () => (await refreshCookie(context))?.value).not.toBe(cookie!.value);
    await expectNoTokensInStorage(page);
    await screenshot(page, 'after-reload');

    // Logout: back to the login screen, the cookie gone, a reload stays logged out.
    await page.getByRole('button', { name: `Account ${tenant.adminEmail}` }).click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor({ timeout: 60_000 });
    await expect.poll(async () => refreshCookie(context)).toBeUndefined();
    await page.reload();
    await page.getByRole('button', { name: 'Log in' }).waitFor({ timeout: 60_000 });
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);

    expect(cspViolations(problems)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a new tab of the same browser restores the session from the cookie alone', async () => {
    const { page, context } = await openConsolePage(browser, stack);
    await page.goto('/login');
    await page.getByLabel('Email', { exact: true }).fill(tenant.adminEmail);
    await page.getByLabel('Password', { exact: true }).fill(tenant.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
    const second = await context.newPage();
    await second.goto('/users');
    await second.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
    await context.close();
  });

  it('a client route opened without a session goes to the login screen', async () => {
    const { page, context, problems } = await openConsolePage(browser, stack);
    await page.goto('/users');
    await page.getByRole('button', { name: 'Log in' }).waitFor({ timeout: 60_000 });
    expect(await refreshCookie(context)).toBeUndefined();
    expect(cspViolations(problems)).toEqual([]);
    await context.close();
  });
});
