// The browser test harness of the console (docs/console.md): every part real.
// A control plane serving console/dist on a port chosen first (so PUBLIC_URL,
// hence every mailed link, points at it), a gateway with the test route table
// in front of a recording upstream, PostgreSQL, Redis and the run's mail folder
// (test/global-setup.ts), and Debian's chromium driven by playwright-core.
//
//   const stack = await startConsoleStack();
//   const browser = await openBrowser();
//   const { page, problems } = await openConsolePage(browser, stack);
//   await page.goto(await readSetupLink(email));
//   ...
//   await expectNoSeriousA11yViolations(page);
//   await screenshot(page, 'setup-password');
//   expect(problems).toEqual([]);
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { REFRESH_COOKIE } from '../../../src/auth/refresh-cookie.ts';
import { totpCode, TOTP_STEP_SECONDS } from '../../../src/totp/totp.ts';
import { bootstrapTenant, type TenantBootstrap } from '../../../src/tenants/bootstrap.ts';
import type { SecuritySettings } from '../../../src/security/settings.ts';
import { completeInvitation, createMerchant, createReseller, inviteUser, mailsTo, GOOD_PASSWORD } from '../auth.ts';
import { startControlPlane, type RunningControlPlane } from '../control-plane.ts';
import { uniqueId } from '../fixtures.ts';
import { startGateway, type RunningGateway } from '../gateway.ts';
import { client } from '../http.ts';
import { startUpstream, type RunningUpstream } from '../upstream.ts';

const run = promisify(execFile);

/**
 * The few browser globals the harness's in-page functions use. The project
 * compiles for Node without the DOM library (adding it would retype fetch and
 * Buffer for the server code), so they are declared here.
 */
interface StorageArea {
  readonly length: number;
  key(i: number): string | null;
  getItem(key: string): string | null;
}
export interface PageGlobals {
  document: { addEventListener(type: 'securitypolicyviolation', fn: (e: { violatedDirective: string; blockedURI: string }) => void): void };
  localStorage: StorageArea;
  sessionStorage: StorageArea;
  axe: typeof axe;
  [other: string]: unknown;
}
// In page.evaluate, write `(globalThis as unknown as PageGlobals)`: the function is serialized into the page.

export { GOOD_PASSWORD, createMerchant, createReseller, inviteUser, mailsTo, client };

// ---------------------------------------------------------------- the console build

const CONSOLE_DIR = 'console';
const DIST_INDEX = join(CONSOLE_DIR, 'dist', 'index.html');
const BUILD_LOCK = join('build', '.console-build.lock');

async function newestMtime(path: string): Promise<number> {
  const s = await stat(path).catch(() => null);
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of await readdir(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, await newestMtime(join(path, entry)));
  }
  return newest;
}

async function consoleIsStale(): Promise<boolean> {
  const built = await stat(DIST_INDEX).then((s) => s.mtimeMs, () => 0);
  if (built === 0) return true;
  // Sources and build inputs beside them (index.html, vite config, public/).
  return (await newestMtime(CONSOLE_DIR)) > built;
}

/**
 * Builds the console (vite) when console/dist is missing or older than its
 * sources. Test files run in parallel workers: one builds under a lock
 * directory, the others wait for it.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  if (!existsSync(CONSOLE_DIR)) throw new Error('console/ does not exist yet: nothing to serve');
  if (!(await consoleIsStale())) return;
  await mkdir('build', { recursive: true });
  for (const started = Date.now(); Date.now() - started < 5 * 60_000; ) {
    try {
      await mkdir(BUILD_LOCK);
    } catch {
      // Another worker builds; a lock older than 5 minutes is from a crashed run.
      const age = await stat(BUILD_LOCK).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > 5 * 60_000) await rm(BUILD_LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    try {
      if (await consoleIsStale()) {
        const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { scripts?: Record<string, string> };
        const [cmd, args]: [string, string[]] = pkg.scripts?.['build:console'] ? ['npm', ['run', '--silent', 'build:console']] : ['npx', ['vite', 'build', CONSOLE_DIR]];
        await run(cmd, args, { maxBuffer: 16 * 1024 * 1024, timeout: 4 * 60_000 });
      }
      return;
    } finally {
      await rm(BUILD_LOCK, { recursive: true, force: true });
    }
  }
  throw new Error('timed out waiting for another worker to build the console');
}

// ---------------------------------------------------------------- the services

export interface ConsoleStack {
  /** The console's origin, e.g. http://127.0.0.1:41234 (also PUBLIC_URL). */
  url: string;
  cp: RunningControlPlane;
  gw: RunningGateway;
  upstream: RunningUpstream;
  close: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const TABLE = 'test/support/routes.test.yaml';
const TABLE_UPSTREAM = 'http://127.0.0.1:4001';

export interface ConsoleStackOptions {
  /** Overrides of the run's configuration (test/global-setup.ts). */
  env?: Record<string, string>;
  /** A directory to serve instead of console/dist (no build): the serving tests' fixture. */
  consoleDir?: string;
}

/** The whole product for one test file. */
export async function startConsoleStack(opts: ConsoleStackOptions = {}): Promise<ConsoleStack> {
  const env = opts.env ?? {};
  if (!opts.consoleDir) await ensureConsoleBuilt();
  const consoleDir = opts.consoleDir ?? join(CONSOLE_DIR, 'dist');
  const upstream = await startUpstream();
  const dir = await mkdtemp(join(tmpdir(), 'iam-console-'));
  const routes = join(dir, 'routes.yaml');
  await writeFile(routes, (await readFile(TABLE, 'utf8')).replaceAll(TABLE_UPSTREAM, upstream.url.replace(/\/$/, '')));
  // The port is chosen before listening so the mailed links point at this stack.
  let cp: RunningControlPlane | undefined;
  for (let attempt = 0; !cp; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    try {
      cp = await startControlPlane({ GATEWAY_ROUTES: routes, PUBLIC_URL: url, CONSOLE_DIR: consoleDir, ...env }, port);
    } catch (err) {
      if ((err as { code?: string }).code !== 'EADDRINUSE' || attempt > 3) throw err;
    }
  }
  const gw = await startGateway({ routes, env: { CONTROL_PLANE_URL: cp.url, ...env } });
  const url = cp.url.replace(/\/$/, '');
  const running = cp;
  return {
    url,
    cp: running,
    gw,
    upstream,
    close: async () => {
      await gw.close();
      await running.close();
      await upstream.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- seeding

export interface SeededTenant extends TenantBootstrap {
  /** The tenant admin's login, after it completed its mailed invitation. */
  adminEmail: string;
  password: string;
  /** The admin's TOTP secret when the tenant requires 2FA, else null. */
  totpSecret: string | null;
  recoveryCodes: string[];
}

/**
 * A tenant whose admin is INVITED with a mailed setup link (the journey test
 * follows it in the browser). `security` defaults to the product's defaults.
 */
export async function seedInvitedTenant(stack: ConsoleStack, security?: SecuritySettings): Promise<TenantBootstrap> {
  const id = uniqueId('t');
  return bootstrapTenant(stack.cp.deps, { id, name: `Tenant ${id}`, adminEmail: `admin@${id}.test`, ...(security ? { security } : {}) });
}

/** A tenant whose admin completed the invitation over HTTP (password, then TOTP when required). */
export async function seedTenant(stack: ConsoleStack, security?: SecuritySettings): Promise<SeededTenant> {
  const t = await seedInvitedTenant(stack, security);
  const done = await completeInvitation(stack.cp, t.admin.email, GOOD_PASSWORD);
  return { ...t, adminEmail: t.admin.email, password: GOOD_PASSWORD, totpSecret: done.secret, recoveryCodes: done.recoveryCodes };
}

/** A user invited into `tenant` with the given role, then activated through its mail (HTTP). */
export async function seedUser(
  stack: ConsoleStack,
  input: Parameters<typeof inviteUser>[1],
): Promise<{ id: string; email: string; password: string; totpSecret: string | null }> {
  const user = await inviteUser(stack.cp.deps, input);
  const done = await completeInvitation(stack.cp, user.email, GOOD_PASSWORD);
  return { id: user.id, email: user.email, password: GOOD_PASSWORD, totpSecret: done.secret };
}

// ---------------------------------------------------------------- mail and TOTP

async function newestLink(email: string, path: string): Promise<string> {
  const mails = await mailsTo(email);
  for (const mail of mails.reverse()) {
    const m = new RegExp(`https?://\\S+${path.replace(/[/.]/g, '\\$&')}\\?token=[A-Za-z0-9_-]+`).exec(mail.text);
    if (m) return m[0];
  }
  throw new Error(`no ${path} link mailed to ${email}`);
}

/** The newest setup link mailed to `email` (…/invitations/accept?token=…), as the person would click it. */
export const readSetupLink = (email: string) => newestLink(email, '/invitations/accept');

/** The newest email-verification link mailed to `email`. */
export const readVerificationLink = (email: string) => newestLink(email, '/email-verifications/confirm');

const usedSteps = new Map<string, number>();

/**
 * A TOTP code for `secret` in a step this process has not used yet: the
 * control plane accepts a code once (replay protection), so a second login
 * within the same 30 s waits for the next step.
 */
export async function nextTotpCode(secret: string): Promise<string> {
  const stepOf = (ms: number) => Math.floor(ms / 1000 / TOTP_STEP_SECONDS);
  let now = Date.now();
  const last = usedSteps.get(secret);
  if (last !== undefined && stepOf(now) <= last) {
    await new Promise((r) => setTimeout(r, (last + 1) * TOTP_STEP_SECONDS * 1000 - now + 50));
    now = Date.now();
  }
  usedSteps.set(secret, stepOf(now));
  return totpCode(secret, new Date(now));
}

/** Marks the current step of `secret` as used (the code was consumed outside nextTotpCode, e.g. by a seed). */
export function markTotpUsed(secret: string): void {
  usedSteps.set(secret, Math.floor(Date.now() / 1000 / TOTP_STEP_SECONDS));
}

// ---------------------------------------------------------------- the browser

/** Headless chromium from the system (never a downloaded browser). */
export async function openBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', headless: true });
}

/**
 * A browser test walks several screens, each a few requests with argon2 and
 * rendering on two shared cores: give it minutes, not vitest's 30 s.
 */
export const BROWSER_TEST_TIMEOUT = 180_000;

export interface ConsolePage {
  page: Page;
  context: BrowserContext;
  /** Console errors, uncaught exceptions and CSP violations seen so far. */
  problems: string[];
}

/**
 * A fresh browser context (its own cookies and storage) on the stack's origin.
 * CSP violations are reported by a listener added through the DevTools
 * protocol (not an inline script, which the CSP would block).
 */
export async function openConsolePage(browser: Browser, stack: ConsoleStack): Promise<ConsolePage> {
  const context = await browser.newContext({ baseURL: stack.url, viewport: { width: 1280, height: 860 } });
  await context.addInitScript(() => {
    (globalThis as unknown as PageGlobals).document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  // Under load a screen may take longer than playwright's 30 s default to appear.
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    // A refused API call (401 after logout, 4xx shown as a sentence) is logged by chromium as a failed
    // resource load; that is the app working, not a problem. Everything else counts.
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
    problems.push(text);
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  return { page, context, problems };
}

/** Only the CSP violations among `problems`. */
export const cspViolations = (problems: string[]) => problems.filter((p) => /CSP violation|Content Security Policy/i.test(p));

/**
 * Runs axe-core in the page and fails on any serious or critical violation.
 * axe's source is evaluated through the DevTools protocol, which the page's
 * CSP does not govern, so the console's strict CSP stays on while it runs.
 */
export async function expectNoSeriousA11yViolations(page: Page, what = page.url()): Promise<void> {
  await page.evaluate(axe.source);
  const results = await page.evaluate(async () => {
    const w = globalThis as unknown as PageGlobals;
    const r = await w.axe.run(w.document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  const serious = results.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious, `axe on ${what}: ${JSON.stringify(serious, null, 2)}`).toEqual([]);
}

/** A full-page PNG under build/screenshots/<name>.png (the README copies a few to docs/screenshots/). */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(join('build', 'screenshots'), { recursive: true });
  const path = join('build', 'screenshots', `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Every entry of localStorage and sessionStorage of the page's origin. */
export async function browserStorage(page: Page): Promise<{ area: string; key: string; value: string }[]> {
  return page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals;
    const out: { area: string; key: string; value: string }[] = [];
    for (const [area, store] of [['localStorage', w.localStorage], ['sessionStorage', w.sessionStorage]] as const) {
      for (let i = 0; i < store.length; i++) {
        const key = store.key(i)!;
        out.push({ area, key, value: store.getItem(key) ?? '' });
      }
    }
    return out;
  });
}

/** Fails when any browser storage entry holds something token-like (a JWT, or a key or value naming a token). */
export async function expectNoTokensInStorage(page: Page): Promise<void> {
  const entries = await browserStorage(page);
  const tokenLike = entries.filter((e) => /eyJ[\w-]+\.[\w-]+\./.test(e.value) || /token|secret|refresh/i.test(e.key) || /token/i.test(e.value));
  expect(tokenLike, 'tokens in browser storage').toEqual([]);
}

/** The refresh cookie as the browser holds it, if any. */
export async function refreshCookie(context: BrowserContext) {
  return (await context.cookies()).find((c) => c.name === REFRESH_COOKIE);
}
