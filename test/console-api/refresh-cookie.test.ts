// The console's session over real HTTP (docs/console.md): every answer that
// issues tokens sets the refresh token in an HttpOnly, SameSite=Strict cookie
// scoped to /v1/auth (Secure under https); refresh accepts the cookie when the
// body has none, with rotation and reuse detection as for the body, but only
// from the console's origin; logout clears it. JSON bodies are unchanged.
import { describe, expect, it } from 'vitest';
import { REFRESH_COOKIE } from '../../src/auth/refresh-cookie.ts';
import { codeAt, createMerchant, GOOD_PASSWORD, inviteUser, tokenFromMail } from '../support/auth.ts';
import { startControlPlane, useControlPlane } from '../support/control-plane.ts';
import { activeTenant } from '../support/fixtures.ts';

const PASSWORD = 'correct horse battery staple'; // fixtures' activate()
const PUBLIC_URL = 'http://console.example:3000';

const cp = useControlPlane({ PUBLIC_URL });

interface Answer {
  status: number;
  body: any;
  cookie: string | undefined;
}

/** One request; `cookie` is the Set-Cookie line of the refresh cookie, if the answer has one. */
async function call(path: string, init: { body?: unknown; headers?: Record<string, string>; token?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.token) headers['authorization'] = `Bearer ${init.token}`;
  const res = await fetch(new URL(path, cp.url), {
    method: 'POST',
    headers,
    body: init.body === undefined ? null : JSON.stringify(init.body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? JSON.parse(text) : null,
    cookie: res.headers.getSetCookie().find((c) => c.startsWith(`${REFRESH_COOKIE}=`)),
  };
}

const valueOf = (setCookie: string | undefined) => /^[^=]+=([^;]*)/.exec(setCookie ?? '')?.[1];
const attributes = (setCookie: string | undefined) => (setCookie ?? '').split(';').slice(1).map((a) => a.trim().toLowerCase());
/** A refresh from the console: the cookie and the console's Origin, no body. */
const refreshByCookie = (value: string, origin: string | null = PUBLIC_URL) =>
  call('/v1/auth/refresh', { headers: { cookie: `${REFRESH_COOKIE}=${value}`, ...(origin ? { origin } : {}) } });

async function loggedIn() {
  const t = await activeTenant(cp.deps);
  const login = await call('/v1/auth/login', { body: { email: t.admin.email, password: PASSWORD } });
  expect(login.status).toBe(200);
  return { ...t, login };
}

describe('the refresh cookie', () => {
  it('is set by login beside the unchanged JSON body: HttpOnly, SameSite=Strict, Path=/v1/auth, not Secure over http', async () => {
    const { login } = await loggedIn();
    expect(Object.keys(login.body).sort()).toEqual(['accessToken', 'context', 'expiresIn', 'refreshToken']);
    expect(valueOf(login.cookie)).toBe(login.body.refreshToken);
    const attrs = attributes(login.cookie);
    expect(attrs).toContain('httponly');
    expect(attrs).toContain('samesite=strict');
    expect(attrs).toContain('path=/v1/auth');
    expect(attrs).toContain(`max-age=${cp.deps.config.REFRESH_TOKEN_TTL_SECONDS}`);
    expect(attrs).not.toContain('secure');
  });

  it('is Secure when PUBLIC_URL is https', async () => {
    const https = await startControlPlane({ PUBLIC_URL: 'https://console.example' });
    try {
      const t = await activeTenant(https.deps);
      const res = await fetch(new URL('/v1/auth/login', https.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: t.admin.email, password: PASSWORD }),
      });
      expect(res.status).toBe(200);
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${REFRESH_COOKIE}=`));
      expect(attributes(cookie)).toContain('secure');
    } finally {
      await https.close();
    }
  });

  it('is set by mfa/verify and login/totp (the two-factor path)', async () => {
    const t = await activeTenant(cp.deps);
    const user = await inviteUser(cp.deps, { tenantId: t.tenant.id, roleId: t.roles.TENANT.id, type: 'TENANT' });
    await cp.deps.orm.em.fork().getConnection().execute(`update tenants set security = '{"mfaRequired": true}' where id = ?`, [t.tenant.id]);
    const token = await tokenFromMail(user.email, '/invitations/accept');
    const accepted = await call('/v1/invitations/accept', { body: { token, password: GOOD_PASSWORD } });
    expect(accepted.body.mfaToken).toEqual(expect.any(String));
    expect(accepted.cookie).toBeUndefined();
    const setup = await call('/v1/auth/mfa/setup', { body: { mfaToken: accepted.body.mfaToken } });
    expect(setup.cookie).toBeUndefined();
    const verified = await call('/v1/auth/mfa/verify', { body: { mfaToken: accepted.body.mfaToken, code: codeAt(setup.body.secret) } });
    expect(verified.status).toBe(200);
    expect(valueOf(verified.cookie)).toBe(verified.body.refreshToken);

    const first = await call('/v1/auth/login', { body: { email: user.email, password: GOOD_PASSWORD } });
    expect(first.body.mfaRequired).toBe(true);
    expect(first.cookie).toBeUndefined();
    // The enrolment consumed this step's code: the next step's is accepted (±1 step) and unused.
    const second = await call('/v1/auth/login/totp', { body: { mfaToken: first.body.mfaToken, code: codeAt(setup.body.secret, 30_000) } });
    expect(second.status).toBe(200);
    expect(valueOf(second.cookie)).toBe(second.body.refreshToken);
  });

  it('is set by switch, for the new session', async () => {
    const { tenant, login } = await loggedIn();
    const merchant = await createMerchant(cp.deps, tenant.id);
    const switched = await call('/v1/auth/switch', { body: { type: 'MERCHANT', id: merchant.id }, token: login.body.accessToken });
    expect(switched.status).toBe(200);
    expect(valueOf(switched.cookie)).toBe(switched.body.refreshToken);
    expect(switched.body.refreshToken).not.toBe(login.body.refreshToken);
  });
});

describe('refresh by cookie', () => {
  it('rotates: the answer sets the new token in the cookie and the body, in the same context', async () => {
    const { login } = await loggedIn();
    const next = await refreshByCookie(valueOf(login.cookie)!);
    expect(next.status).toBe(200);
    expect(next.body.refreshToken).not.toBe(login.body.refreshToken);
    expect(valueOf(next.cookie)).toBe(next.body.refreshToken);
    expect(next.body.context).toEqual(login.body.context);
    const third = await refreshByCookie(valueOf(next.cookie)!);
    expect(third.status).toBe(200);
  });

  it("accepts the control plane's own origin as well as PUBLIC_URL's", async () => {
    const { login } = await loggedIn();
    const own = new URL(cp.url).origin;
    expect((await refreshByCookie(valueOf(login.cookie)!, own)).status).toBe(200);
  });

  it('a reused cookie ends the whole session (401 REFRESH_REUSED) and clears the cookie', async () => {
    const { login } = await loggedIn();
    const next = await refreshByCookie(valueOf(login.cookie)!);
    expect(next.status).toBe(200);
    const reuse = await refreshByCookie(valueOf(login.cookie)!);
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('REFRESH_REUSED');
    expect(valueOf(reuse.cookie)).toBe('');
    expect(attributes(reuse.cookie)).toContain('path=/v1/auth');
    // The legitimate holder's newer token died with the session.
    expect((await refreshByCookie(valueOf(next.cookie)!)).status).toBe(401);
  });

  it('is refused without an Origin (403 ORIGIN_MISMATCH), and the token is not consumed', async () => {
    const { login } = await loggedIn();
    const refused = await refreshByCookie(valueOf(login.cookie)!, null);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('ORIGIN_MISMATCH');
    expect((await refreshByCookie(valueOf(login.cookie)!)).status).toBe(200);
  });

  it('is refused from another origin (403 ORIGIN_MISMATCH)', async () => {
    const { login } = await loggedIn();
    for (const origin of ['https://evil.example', 'http://console.example:3001', 'null']) {
      const refused = await refreshByCookie(valueOf(login.cookie)!, origin);
      expect(refused.status, origin).toBe(403);
      expect(refused.body.code, origin).toBe('ORIGIN_MISMATCH');
    }
  });

  it('without body token nor cookie is 401 UNAUTHENTICATED', async () => {
    const res = await call('/v1/auth/refresh', { headers: { origin: PUBLIC_URL } });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
  });

  it('the body token still works for API clients, with no Origin', async () => {
    const { login } = await loggedIn();
    const next = await call('/v1/auth/refresh', { body: { refreshToken: login.body.refreshToken } });
    expect(next.status).toBe(200);
    expect(valueOf(next.cookie)).toBe(next.body.refreshToken);
  });

  it('unknown fields in the body are still refused', async () => {
    const res = await call('/v1/auth/refresh', { body: { refreshToken: 'x'.repeat(43), extra: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });
});

describe('logout', () => {
  it('clears the cookie, and the cleared session cannot be refreshed by it', async () => {
    const { login } = await loggedIn();
    const out = await call('/v1/auth/logout', { token: login.body.accessToken });
    expect(out.status).toBe(204);
    expect(valueOf(out.cookie)).toBe('');
    const attrs = attributes(out.cookie);
    expect(attrs).toContain('path=/v1/auth');
    expect(attrs.some((a) => a === 'max-age=0' || (a.startsWith('expires=') && Date.parse(a.slice(8)) < Date.now()))).toBe(true);
    const again = await refreshByCookie(valueOf(login.cookie)!);
    expect(again.status).toBe(401);
  });
});
