// Tokens and sessions (docs/http.md#tokens): refresh rotation and reuse detection,
// logout, and sessions killed by disable and revoke-sessions — announced on
// the authorization channel so gateways drop them at once.
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { useControlPlane } from '../support/control-plane.ts';
import { auditOf } from '../support/audit.ts';
import { client } from '../support/http.ts';
import { testEnv } from '../support/env.ts';
import { activeTenant, activate, tokenFor } from '../support/fixtures.ts';
import { announceRevoked, revokeSessions } from '../../src/auth/sessions.ts';
import { authzChannel } from '../../core/changes/authz-changes.ts';
import { User } from '../../src/users/user.entity.ts';
import { seedRole } from '../support/seed.ts';
import { inviteUser } from '../support/auth.ts';

const PASSWORD = 'correct horse battery staple'; // fixtures' activate()

const cp = useControlPlane();

async function signedIn() {
  const t = await activeTenant(cp.deps);
  const res = await client(cp.url).post('/v1/auth/login', { email: t.admin.email, password: PASSWORD });
  expect(res.status).toBe(200);
  return { ...t, pair: res.body as { accessToken: string; refreshToken: string; context: { type: string; id: string } } };
}

/** The session id (`sid`) an access token names. */
function sidOf(accessToken: string): string {
  return (JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;
}

/** Collects authz-change messages published while `fn` runs. */
async function announcedDuring(fn: () => Promise<void>): Promise<{ kind: string; id: string }[]> {
  const env = testEnv();
  const sub = new Redis(env['REDIS_URL']!);
  const seen: { kind: string; id: string }[] = [];
  sub.on('message', (_channel: string, message: string) => seen.push(...(JSON.parse(message) as { kind: string; id: string }[])));
  await sub.subscribe(authzChannel(env['REDIS_KEY_PREFIX']!));
  try {
    await fn();
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    sub.disconnect();
  }
  return seen;
}

describe('refresh tokens', () => {
  it('rotate: each refresh token works once and yields a new pair in the same context', async () => {
    const { pair } = await signedIn();
    const api = client(cp.url);
    const next = await api.post('/v1/auth/refresh', { refreshToken: pair.refreshToken });
    expect(next.status).toBe(200);
    expect(next.body.refreshToken).not.toBe(pair.refreshToken);
    expect(next.body.context).toEqual(pair.context);
    expect((await client(cp.url, next.body.accessToken).get('/v1/me')).status).toBe(200);
    const third = await api.post('/v1/auth/refresh', { refreshToken: next.body.refreshToken });
    expect(third.status).toBe(200);
  });

  it('reusing a rotated token ends the whole session (401 REFRESH_REUSED)', async () => {
    const { pair } = await signedIn();
    const api = client(cp.url);
    const next = await api.post('/v1/auth/refresh', { refreshToken: pair.refreshToken });
    const reuse = await api.post('/v1/auth/refresh', { refreshToken: pair.refreshToken });
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('REFRESH_REUSED');
    // The legitimate holder's newer tokens died with the session.
    expect((await api.post('/v1/auth/refresh', { refreshToken: next.body.refreshToken })).status).toBe(401);
    expect((await client(cp.url, next.body.accessToken).get('/v1/me')).status).toBe(401);
    expect((await client(cp.url, pair.accessToken).get('/v1/me')).status).toBe(401);
  });

  it('an unknown refresh token is 401 UNAUTHENTICATED', async () => {
    const res = await client(cp.url).post('/v1/auth/refresh', { refreshToken: 'not-a-token' });
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('UNAUTHENTICATED');
  });
});

describe('ending sessions', () => {
  it('logout ends this session only', async () => {
    const t = await signedIn();
    const api = client(cp.url);
    const other = await api.post('/v1/auth/login', { email: t.admin.email, password: PASSWORD });
    const announced = await announcedDuring(async () => {
      expect((await client(cp.url, t.pair.accessToken).post('/v1/auth/logout')).status).toBe(204);
    });
    // Other test files publish on the same channel: look only at these sessions.
    const mine = announced.filter((c) => c.kind === 'session' && [sidOf(t.pair.accessToken), sidOf(other.body.accessToken)].includes(c.id));
    expect(mine).toEqual([expect.objectContaining({ kind: 'session', id: sidOf(t.pair.accessToken) })]);
    expect((await client(cp.url, t.pair.accessToken).get('/v1/me')).status).toBe(401);
    expect((await api.post('/v1/auth/refresh', { refreshToken: t.pair.refreshToken })).status).toBe(401);
    expect((await client(cp.url, other.body.accessToken).get('/v1/me')).status).toBe(200);
  });

  it('disable: status DISABLED and revoked sessions kill existing refresh tokens', async () => {
    const t = await signedIn();
    const em = cp.deps.orm.em.fork();
    const ids = await em.transactional(async (tx) => {
      await tx.nativeUpdate(User, { id: t.admin.id }, { status: 'DISABLED' });
      return revokeSessions(tx, { userId: t.admin.id }, 'disabled', cp.deps.now());
    });
    await announceRevoked(cp.deps, ids);
    expect(ids.length).toBeGreaterThan(0);
    const api = client(cp.url);
    expect((await api.post('/v1/auth/refresh', { refreshToken: t.pair.refreshToken })).status).toBe(401);
    expect((await client(cp.url, t.pair.accessToken).get('/v1/me')).status).toBe(401);
    expect((await api.post('/v1/auth/login', { email: t.admin.email, password: PASSWORD })).body.code).toBe('INVALID_CREDENTIALS');
  });

  it('revoke-sessions ends every session of the user and announces each', async () => {
    const t = await signedIn();
    const api = client(cp.url);
    const second = await api.post('/v1/auth/login', { email: t.admin.email, password: PASSWORD });
    const operator = await inviteUser(cp.deps, { tenantId: t.tenant.id, roleId: t.roles.TENANT.id, type: 'TENANT' });
    await activate(cp.deps, operator.id);
    const admin = client(cp.url, await tokenFor(cp.deps, operator.id));
    let res!: Awaited<ReturnType<typeof admin.post>>;
    const announced = await announcedDuring(async () => {
      res = await admin.post(`/v1/users/${t.admin.id}/revoke-sessions`);
    });
    expect(res.status).toBe(200);
    // The fixture's session (activeTenant) and the two logins.
    expect(res.body).toEqual({ id: t.admin.id, revokedSessions: 3 });
    const sessionsOfUser = await cp.deps.orm.em
      .getConnection()
      .execute<{ id: string }[]>('select id from sessions where user_id = ?', [t.admin.id]);
    const ids = new Set(sessionsOfUser.map((r) => r.id));
    expect(announced.filter((c) => c.kind === 'session' && ids.has(c.id))).toHaveLength(3);
    for (const pair of [t.pair, second.body]) {
      expect((await api.post('/v1/auth/refresh', { refreshToken: pair.refreshToken })).status).toBe(401);
      expect((await client(cp.url, pair.accessToken).get('/v1/me')).status).toBe(401);
    }
    // The user can log in again afterwards.
    expect((await api.post('/v1/auth/login', { email: t.admin.email, password: PASSWORD })).status).toBe(200);
    // With a role that only reads users, the action is forbidden.
    const em = cp.deps.orm.em.fork();
    const reader = seedRole(em, { tenantId: t.tenant.id, name: 'Reader', acl: { users: 'R' } });
    await em.flush();
    const readOnly = await inviteUser(cp.deps, { tenantId: t.tenant.id, roleId: reader.id, type: 'TENANT' });
    await activate(cp.deps, readOnly.id);
    const refused = await client(cp.url, await tokenFor(cp.deps, readOnly.id)).post(`/v1/users/${t.admin.id}/revoke-sessions`);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
    expect((await auditOf(cp, t.admin.id)).filter((e) => e.action === 'user.sessions_revoked')).toHaveLength(1);
  });
});
