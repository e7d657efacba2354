// The invitation journey in a real browser (issue 11, docs/console.md): from the
// mailed link to the first screen with TOTP, then a login with password and
// authentication code, and refusals shown as sentences. Every part is real:
// the control plane serving the built console, the mail folder, PostgreSQL,
// Redis, and Debian's chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  BROWSER_TEST_TIMEOUT,
  cspViolations,
  expectNoSeriousA11yViolations,
  expectNoTokensInStorage,
  GOOD_PASSWORD,
  markTotpUsed,
  nextTotpCode,
  openBrowser,
  openConsolePage,
  readSetupLink,
  refreshCookie,
  screenshot,
  seedInvitedTenant,
  seedTenant,
  startConsoleStack,
  type ConsoleStack,
} from '../support/console/harness.ts';

let stack: ConsoleStack;
let browser: Browser;
beforeAll(async () => {
  stack = await startConsoleStack();
  browser = await openBrowser();
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** The dashboard frame is up: the main navigation with its first link. */
async function onDashboard(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 60_000 });
  await page.getByRole('link', { name: 'Users', exact: true }).waitFor();
}

/** The visible alert text, which must read as a sentence: no JSON, no upper-snake code. */
async function alertSentence(page: Page, pattern: RegExp): Promise<string> {
  const alert = page.getByRole('alert').filter({ hasText: pattern });
  await alert.first().waitFor({ timeout: 60_000 });
  const text = (await alert.first().innerText()).trim();
  expect(text).not.toMatch(/[{}]|statusCode|\b[A-Z]{2,}_[A-Z_]+\b/);
  return text;
}

describe('the invitation journey', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  let email: string;
  let secret: string;

  it('goes from the mailed link to the first screen: password, 2FA with QR and key, recovery codes', async () => {
    const t = await seedInvitedTenant(stack); // a new tenant requires 2FA
    email = t.admin.email;
    const link = await readSetupLink(email);
    expect(link.startsWith(`${stack.url}/invitations/accept?token=`)).toBe(true);

    const { page, context, problems } = await openConsolePage(browser, stack);
    const response = await page.goto(link);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByLabel('Password', { exact: true }).waitFor();
    await expectNoSeriousA11yViolations(page, 'setup: password');

    // The tenant's policy is shown live; an unmet rule is named when submitting.
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Confirm password', { exact: true }).fill('short');
    await expect.poll(() => page.getByText('At least 12 characters (not met)').count()).toBe(1);
    await page.getByRole('button', { name: 'Set password' }).click();
    await alertSentence(page, /at least 12 characters/i);
    await page.getByLabel('Password', { exact: true }).fill(GOOD_PASSWORD);
    await page.getByLabel('Confirm password', { exact: true }).fill(GOOD_PASSWORD);
    await expect.poll(() => page.getByText('At least 12 characters (met)').count()).toBe(1);
    await screenshot(page, 'setup-password');
    await page.getByRole('button', { name: 'Set password' }).click();

    // 2FA enrolment: a QR code and the key as text.
    const key = page.getByLabel('Secret key', { exact: true });
    await key.waitFor({ timeout: 60_000 });
    secret = await key.inputValue();
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await page.getByRole('img', { name: /QR code/ }).waitFor();
    await expectNoSeriousA11yViolations(page, 'setup: 2FA');
    await screenshot(page, 'setup-2fa');
    await page.getByLabel('Authentication code', { exact: true }).fill(await nextTotpCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();

    // Recovery codes to save, then the first screen.
    const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await codes.first().waitFor({ timeout: 60_000 });
    expect(await codes.count()).toBe(10);
    await screenshot(page, 'setup-recovery-codes');
    await page.getByRole('button', { name: 'Continue' }).click();
    await onDashboard(page);
    // The first screen of a Tenant Admin is the users list, with this very user in it.
    await page.getByRole('heading', { name: 'Users', level: 1, exact: true }).waitFor();
    await page.getByRole('cell', { name: email }).waitFor();
    await screenshot(page, 'first-screen');

    // The session: refresh token in an HttpOnly cookie on /v1/auth, nothing in storage.
    const cookie = await refreshCookie(context);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/v1/auth' });
    expect(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).not.toContain(cookie!.value);
    await expectNoTokensInStorage(page);
    expect(cspViolations(problems)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('the link works once: opened again it says so in a sentence', async () => {
    const { page, context } = await openConsolePage(browser, stack);
    await page.goto(await readSetupLink(email));
    await alertSentence(page, /./);
    await expect.poll(() => page.getByRole('button', { name: 'Set password' }).count()).toBe(0);
    await context.close();
  });

  it('logs in with password, then the authentication code', async () => {
    const { page, context, problems } = await openConsolePage(browser, stack);
    await page.goto('/login');
    await page.getByLabel('Email', { exact: true }).waitFor();
    await expectNoSeriousA11yViolations(page, 'login');
    await screenshot(page, 'login');
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(GOOD_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    const code = page.getByLabel('Authentication code', { exact: true });
    await code.waitFor({ timeout: 60_000 });
    await expectNoSeriousA11yViolations(page, 'login: authentication code');
    await screenshot(page, 'login-code');
    await code.fill(await nextTotpCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await onDashboard(page);
    await expectNoTokensInStorage(page);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('refusals at login, as sentences', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  it('a wrong password, then the lockout', async () => {
    // The visible lock follows the installation's limits (5 attempts), the same for every
    // address, so it tells nobody which accounts exist (issue 17, finding 11a).
    const t = await seedTenant(stack, { mfaRequired: false });
    const { page, context } = await openConsolePage(browser, stack);
    await page.goto('/login');
    const attempt = async () => {
      await page.getByLabel('Email', { exact: true }).fill(t.adminEmail);
      await page.getByLabel('Password', { exact: true }).fill('not the password at all');
      await page.getByRole('button', { name: 'Log in' }).click();
    };
    await attempt();
    const wrong = await alertSentence(page, /password|email/i);
    expect(wrong).toMatch(/not correct|incorrect|wrong|invalid|do not match|not recogni[sz]ed/i);
    await screenshot(page, 'login-wrong-password');
    for (let i = 0; i < 5; i++) await attempt();
    const locked = await alertSentence(page, /locked/i);
    expect(locked).toMatch(/locked/i);
    await screenshot(page, 'login-locked');
    // Locked even with the right password.
    await page.getByLabel('Password', { exact: true }).fill(t.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await alertSentence(page, /locked/i);
    await context.close();
  });

  it('a wrong authentication code', async () => {
    const t = await seedTenant(stack);
    markTotpUsed(t.totpSecret!);
    const { page, context } = await openConsolePage(browser, stack);
    await page.goto('/login');
    await page.getByLabel('Email', { exact: true }).fill(t.adminEmail);
    await page.getByLabel('Password', { exact: true }).fill(t.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByLabel('Authentication code', { exact: true }).fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await alertSentence(page, /code/i);
    await context.close();
  });
});
