// Fixtures of the console's admin-screen tests (users, roles, switcher,
// approvals, merchant access): active tenants and users made through the
// product's own services (the mailed journey is the auth-journey tests' part),
// an API client for arranging data, and a browser login through the login page.
import { afterAll, beforeAll, expect } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { bootstrapTenant } from '../../../src/tenants/bootstrap.ts';
import { activate, tokenFor, uniqueId } from '../fixtures.ts';
import { client, GOOD_PASSWORD, inviteUser, openBrowser, startConsoleStack, type ConsoleStack } from './harness.ts';

export type Api = ReturnType<typeof client>;

/** A tenant without required 2FA (these tests are about the admin screens), its admin ACTIVE, and an API client as that admin. */
export async function tenantWithAdmin(stack: ConsoleStack) {
  const id = uniqueId('t');
  const t = await bootstrapTenant(stack.cp.deps, { id, name: `Tenant ${id}`, adminEmail: `admin@${id}.test`, security: { mfaRequired: false } });
  await activate(stack.cp.deps, t.admin.id, GOOD_PASSWORD);
  const api = client(stack.url, await tokenFor(stack.cp.deps, t.admin.id));
  return { ...t, id, adminEmail: t.admin.email, api };
}

export interface ConsoleSuite {
  stack: ConsoleStack;
  browser: Browser;
  tenant: Awaited<ReturnType<typeof tenantWithAdmin>>;
}

/** One suite's stack, browser and tenant (started before its tests, closed after); read them inside a test. */
export function useConsoleSuite(): ConsoleSuite {
  const suite = {} as ConsoleSuite;
  beforeAll(async () => {
    suite.stack = await startConsoleStack();
    suite.browser = await openBrowser();
    suite.tenant = await tenantWithAdmin(suite.stack);
  }, 120_000);
  afterAll(async () => {
    await suite.browser?.close();
    await suite.stack?.close();
  });
  return suite;
}

/** An ACTIVE user (invited, then activated directly). */
export async function activeUser(stack: ConsoleStack, input: Parameters<typeof inviteUser>[1]) {
  const user = await inviteUser(stack.cp.deps, input);
  await activate(stack.cp.deps, user.id, GOOD_PASSWORD);
  return user;
}

/** A role created through the API as `api`'s caller. */
export async function createRole(api: Api, body: { name: string; scope: 'TENANT' | 'RESELLER' | 'MERCHANT'; acl: Record<string, string>; description?: string }) {
  const res = await api.post('/v1/roles', { description: '', ...body });
  if (res.status !== 200 && res.status !== 201) throw new Error(`role ${body.name}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; name: string };
}

/** Logs in through the login page and waits for the dashboard. */
export async function logIn(page: Page, email: string, password = GOOD_PASSWORD): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 20_000 });
}

/** Picks `option` in the Mantine select or multi-select named `label`, typing `search` first when given. */
export async function pick(page: Page, label: string, option: string | RegExp, search?: string): Promise<void> {
  const field = page.getByRole('combobox', { name: label, exact: true });
  await field.click();
  if (search !== undefined) await field.fill(search);
  await page.getByRole('option', { name: option }).click();
}

/** Waits until `locator` is visible (fails after the timeout). */
export const shown = (locator: Locator, timeout = 10_000) => locator.first().waitFor({ state: 'visible', timeout });

/** Polls until no element matches `locator` (fails after vitest's poll timeout). */
export const absent = (locator: Locator) => expect.poll(() => locator.count(), { timeout: 5_000 }).toBe(0);

/** Polls until `locator`'s text contains `text`. */
export const hasText = (locator: Locator, text: string) =>
  expect.poll(async () => (await locator.allTextContents()).join(' '), { timeout: 10_000 }).toContain(text);
