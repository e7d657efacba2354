// Finding 11a and 11b: a login says nothing about whether an address exists.
// (a) The visible lock (423 and its lockedUntil) is the same for every
// address, whatever limits the user's tenant or reseller sets; those limits
// lock the account silently (the right password gets the ordinary 401).
// (b) Known and unknown addresses take the same time: the same lookups,
// Redis commands, argon2 work and one audit write. The medians of
// LOGIN_TIMING_SAMPLES (default 60; the README's figures: 200) failed logins
// each are printed and must be within 20 % of each other.
import { beforeAll, describe, expect, it } from 'vitest';
import { auditOf } from '../support/audit.ts';
import { useControlPlane } from '../support/control-plane.ts';
import { client } from '../support/http.ts';
import { activate, newTenant, uniqueId } from '../support/fixtures.ts';
import { LoginLockout } from '../../src/lockout/login-lockout.ts';
import { createReseller, inviteUser } from '../support/auth.ts';

const cp = useControlPlane();
let known: string;
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  const t = await newTenant(cp.deps);
  const reseller = await createReseller(cp.deps, t.tenant.id, { maxLoginAttempts: 3, lockoutMinutes: 60 });
  const user = await inviteUser(cp.deps, { tenantId: t.tenant.id, roleId: t.roles.RESELLER.id, type: 'RESELLER', resellerId: reseller.id });
  await activate(cp.deps, user.id, PASSWORD);
  known = user.email;
});

const login = (email: string, password: string) => client(cp.url).post('/v1/auth/login', { email, password });

describe('lockout of known and unknown addresses', () => {
  it('a reseller user with maxLoginAttempts 3 locks visibly exactly when and as long as an unknown address does', async () => {
    const unknown = `nobody-${uniqueId('x')}@nowhere.test`;
    const seen: { known: unknown[]; unknown: unknown[] } = { known: [], unknown: [] };
    for (let i = 1; i <= 7; i++) {
      for (const [who, email] of [['known', known], ['unknown', unknown]] as const) {
        const sent = Date.now();
        const res = await login(email, 'wrong-password-guess');
        const until = res.body.lockedUntil ? Math.round((new Date(res.body.lockedUntil as string).getTime() - sent) / 60_000) : null;
        seen[who].push([res.status, res.body.code, String(res.body.message).replace(/after .*/, 'after …'), until]);
      }
    }
    expect(JSON.stringify(seen.known)).toBe(JSON.stringify(seen.unknown));
    expect(seen.known.map((s) => (s as unknown[])[0])).toEqual([401, 401, 401, 401, 401, 423, 423]);
    expect((seen.known[5] as unknown[])[3]).toBe(15);
  });

  it('a failure is recorded for an unknown address too: the same one audit write, never the address itself', async () => {
    const unknown = `nobody-${uniqueId('x')}@nowhere.test`;
    expect((await login(unknown, 'wrong-password-guess')).status).toBe(401);
    const rows = (await auditOf(cp, LoginLockout.key(unknown)))
      .filter((e) => e.action === 'auth.login_failed')
      .map(({ tenant_id, target_type, target_id, after }) => ({ tenant_id, target_type, target_id, after }));
    expect(rows).toEqual([{ tenant_id: '', target_type: 'login', target_id: LoginLockout.key(unknown), after: { factor: 'password', lockedUntil: null } }]);
    expect(JSON.stringify(rows)).not.toContain(unknown);
  });

  it('the reseller\'s stricter limit still holds: after 3 failures the right password is refused like a wrong one', async () => {
    const lockout = new LoginLockout(cp.deps.redis);
    await lockout.reset(known);
    await cp.deps.orm.em.getConnection().execute('update users set locked_until = null where email = ?', [known]);
    for (let i = 0; i < 3; i++) expect((await login(known, 'wrong-password-guess')).status).toBe(401);
    const right = await login(known, PASSWORD);
    expect([right.status, right.body.code]).toEqual([401, 'INVALID_CREDENTIALS']);
    // The administrator sees the account lock on the user (and may unlock it).
    const rows = await cp.deps.orm.em.getConnection().execute<{ locked_until: Date | null }[]>('select locked_until from users where email = ?', [known]);
    expect(new Date(rows[0]!.locked_until!).getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
    await lockout.reset(known);
    await cp.deps.orm.em.getConnection().execute('update users set locked_until = null where email = ?', [known]);
    expect((await login(known, PASSWORD)).status).toBe(200);
  });
});

describe('login timing', () => {
  const samples = Number(process.env['LOGIN_TIMING_SAMPLES'] ?? 60);
  it('known and unknown addresses take the same time (medians of failed logins)', async () => {
    const lockout = new LoginLockout(cp.deps.redis);
    const unknown = `nobody-${uniqueId('x')}@nowhere.test`;
    const times: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] };
    const api = client(cp.url);
    // Warm-up, then alternate so drift on a shared machine hits both alike.
    for (let i = 0; i < 10; i++) await api.post('/v1/auth/login', { email: i % 2 ? known : unknown, password: 'wrong-password-guess' });
    for (let i = 0; i < samples; i++) {
      for (const [who, email] of (i % 2 ? [['known', known], ['unknown', unknown]] : [['unknown', unknown], ['known', known]]) as [keyof typeof times, string][]) {
        await lockout.reset(email);
        const start = process.hrtime.bigint();
        const res = await api.post('/v1/auth/login', { email, password: 'wrong-password-guess' });
        times[who].push(Number(process.hrtime.bigint() - start) / 1e6);
        expect(res.status).toBe(401);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const k = median(times.known);
    const u = median(times.unknown);
    console.info(`login timing: median known ${k.toFixed(1)} ms, unknown ${u.toFixed(1)} ms (${samples} each)`);
    expect(Math.abs(k - u) / Math.min(k, u)).toBeLessThan(0.2);
  }, 600_000);
});
