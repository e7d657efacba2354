// The control plane serves the console (docs/console.md): hashed assets cached
// for good, index.html never cached, index.html for client routes such as the
// mailed links, the API's JSON 404 untouched, and a strict CSP the browser
// enforces. A small fixture stands in for console/dist, so these run without
// the console's build; the journey tests drive the real one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startControlPlane } from '../support/control-plane.ts';
import {
  cspViolations,
  expectNoSeriousA11yViolations,
  openBrowser,
  openConsolePage,
  startConsoleStack,
  type ConsoleStack,
  type PageGlobals,
} from '../support/console/harness.ts';

const FIXTURE = 'test/console/fixture-dist';
const html = { accept: 'text/html,application/xhtml+xml' };

describe('serving the console', () => {
  let stack: ConsoleStack;
  beforeAll(async () => {
    stack = await startConsoleStack({ consoleDir: FIXTURE });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${stack.url}${path}`, { headers });

  it('answers index.html at / with no-cache and the security headers', async () => {
    const res = await get('/', html);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('Console fixture');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
    );
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('caches hashed assets for a year, immutable', async () => {
    const res = await get('/assets/app-3f9a1c.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('opens the mailed links in the console (index.html for client routes)', async () => {
    for (const path of ['/invitations/accept?token=abc', '/email-verifications/confirm?token=abc', '/users/42']) {
      const res = await get(path, html);
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toContain('Console fixture');
      expect(res.headers.get('cache-control'), path).toBe('no-cache');
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
    }
  });

  it('keeps the API, docs and operations paths out of the fallback', async () => {
    for (const path of ['/v1/nope', '/.well-known/nope', '/metrics/x', '/healthz/x', '/readyz/x', '/docs/nope.html']) {
      const res = await get(path, html);
      expect(res.status, path).toBe(404);
      if (!path.startsWith('/docs')) expect(((await res.json()) as { code: string }).code, path).toBe('NOT_FOUND');
    }
    expect((await get('/healthz', html)).status).toBe(200);
  });

  it('answers a JSON 404 to a non-HTML request and to other methods, and a missing asset is 404', async () => {
    const api = await get('/users/42', { accept: 'application/json' });
    expect(api.status).toBe(404);
    expect(((await api.json()) as { code: string }).code).toBe('NOT_FOUND');
    expect((await fetch(`${stack.url}/users/42`, { method: 'POST', headers: html })).status).toBe(404);
    expect((await get('/assets/missing-1234.js', { accept: '*/*' })).status).toBe(404);
  });

  describe('in the browser', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await openBrowser();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('runs the console script, blocks inline script by CSP, and passes axe', async () => {
      const { page, context, problems } = await openConsolePage(browser, stack);
      await page.goto('/invitations/accept?token=abc');
      await expect.poll(() => page.locator('#route').textContent()).toBe('/invitations/accept');
      expect(await page.evaluate(() => (globalThis as unknown as PageGlobals)['inlineRan'] ?? false)).toBe(false);
      await expect.poll(() => cspViolations(problems).length).toBeGreaterThan(0);
      expect(cspViolations(problems)[0]).toMatch(/script-src/);
      await expectNoSeriousA11yViolations(page);
      await context.close();
    });
  });
});

describe('without a built console', () => {
  it('starts and serves the API only', async () => {
    const cp = await startControlPlane({ CONSOLE_DIR: 'test/console/no-such-dist' });
    try {
      const root = await fetch(`${cp.url}/`, { headers: html });
      expect(root.status).toBe(404);
      expect(((await root.json()) as { code: string }).code).toBe('NOT_FOUND');
      expect((await fetch(`${cp.url}/healthz`)).status).toBe(200);
    } finally {
      await cp.close();
    }
  });
});
