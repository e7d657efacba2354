// Login lockout (docs/domain.md#lockout), counted in Redis so every control-plane
// instance shares it. An attempt first *reserves* a slot atomically (a Lua
// script); only a reserved attempt may evaluate a password or a TOTP code.
// So N parallel wrong attempts evaluate at most N secrets: the (N+1)th
// reservation is refused and locks the account.
//
// The counter is keyed by the normalised login email, not the user id, so an
// unknown address locks exactly like a real one (no enumeration by 423).
// That visible lock (423 ACCOUNT_LOCKED) uses the installation's default
// limits for every address, known or not: a tenant's or reseller's own
// limits would otherwise tell an outsider which addresses exist there
// (finding 11a). Those limits are the *account* lock, counted under a second
// key per address: once reached, the login refuses even the right password
// with the ordinary 401, exactly as a wrong one (and an unknown address,
// which is counted the same way under the default limits) is refused.
// Times come from the caller's clock (deps.now), so tests move past a lock;
// Redis TTLs only garbage-collect: failures are forgotten `lockoutMinutes`
// after the last attempt.
import { createHash } from 'node:crypto';
import type { RedisClient } from '../../core/infra/redis.ts';

const script = `
local key = KEYS[1]
local op = ARGV[1]
local now = tonumber(ARGV[2])
local max = tonumber(ARGV[3])
local lockMs = tonumber(ARGV[4])
local lockedUntil = tonumber(redis.call('HGET', key, 'until') or '0')
local function lock()
  lockedUntil = now + lockMs
  redis.call('HSET', key, 'until', lockedUntil)
  redis.call('PEXPIRE', key, lockMs)
end
if op == 'reserve' then
  if lockedUntil > now then return {0, lockedUntil} end
  if lockedUntil > 0 then redis.call('DEL', key) end
  local n = redis.call('HINCRBY', key, 'n', 1)
  if n > max then
    redis.call('HINCRBY', key, 'n', -1)
    lock()
    return {0, lockedUntil}
  end
  redis.call('PEXPIRE', key, lockMs)
  return {1, n}
elseif op == 'fail' then
  local n = tonumber(redis.call('HGET', key, 'n') or '0')
  if n >= max and lockedUntil <= now then
    lock()
  end
  if lockedUntil > now then return {1, lockedUntil} end
  return {0, n}
elseif op == 'release' then
  if lockedUntil <= now and tonumber(redis.call('HGET', key, 'n') or '0') > 0 then
    redis.call('HINCRBY', key, 'n', -1)
  end
  return {0, 0}
elseif op == 'count' then
  if lockedUntil > now then return {1, lockedUntil} end
  if lockedUntil > 0 then redis.call('DEL', key) end
  local n = redis.call('HINCRBY', key, 'n', 1)
  if n >= max then
    lock()
    return {1, lockedUntil}
  end
  redis.call('PEXPIRE', key, lockMs)
  return {0, n}
elseif op == 'peek' then
  if lockedUntil > now then return {1, lockedUntil} end
  return {0, 0}
elseif op == 'reset' then
  redis.call('DEL', key)
  return {0, 0}
end
return redis.error_reply('unknown op')
`;

type LockoutCommand = (key: string, op: string, now: number, max: number, lockMs: number) => Promise<[number, number]>;

export interface LockoutLimits {
  maxLoginAttempts: number;
  lockoutMinutes: number;
}

export type Reservation = { ok: true } | { ok: false; lockedUntil: Date };

export class LoginLockout {
  private readonly run: LockoutCommand;

  constructor(redis: RedisClient) {
    const r = redis as RedisClient & { loginLockout?: LockoutCommand };
    if (!r.loginLockout) redis.defineCommand('loginLockout', { numberOfKeys: 1, lua: script });
    this.run = (...args) => (redis as RedisClient & { loginLockout: LockoutCommand }).loginLockout(...args);
  }

  static key(email: string): string {
    return `lockout:${createHash('sha256').update(email.trim().toLowerCase()).digest('base64url')}`;
  }

  /** Call before evaluating a secret; refused while locked or when N attempts are already counted. */
  async reserve(email: string, now: Date, limits: LockoutLimits): Promise<Reservation> {
    const [ok, value] = await this.run(LoginLockout.key(email), 'reserve', now.getTime(), limits.maxLoginAttempts, limits.lockoutMinutes * 60_000);
    return ok === 1 ? { ok: true } : { ok: false, lockedUntil: new Date(value) };
  }

  /** The reserved attempt failed: it stays counted; returns the lock end if the account is now locked. */
  async fail(email: string, now: Date, limits: LockoutLimits): Promise<Date | null> {
    const [locked, value] = await this.run(LoginLockout.key(email), 'fail', now.getTime(), limits.maxLoginAttempts, limits.lockoutMinutes * 60_000);
    return locked === 1 ? new Date(value) : null;
  }

  /** The reserved attempt passed a first factor but the login is not complete: uncount it, keep earlier failures. */
  async release(email: string, now: Date): Promise<void> {
    await this.run(LoginLockout.key(email), 'release', now.getTime(), 0, 0);
  }

  /** A completed login or an administrator's unlock forgets every failure, and lifts the account lock. */
  async reset(email: string): Promise<void> {
    await this.run(LoginLockout.key(email), 'reset', 0, 0, 0);
    await this.run(LoginLockout.accountKey(email), 'reset', 0, 0, 0);
  }

  static accountKey(email: string): string {
    return `lockout:account:${createHash('sha256').update(email.trim().toLowerCase()).digest('base64url')}`;
  }

  /** The end of the address's account lock (its own limits), or null. */
  async accountLockedUntil(email: string, now: Date): Promise<Date | null> {
    const [locked, value] = await this.run(LoginLockout.accountKey(email), 'peek', now.getTime(), 0, 0);
    return locked === 1 ? new Date(value) : null;
  }

  /** Counts a failure against the account's own limits; returns the account lock's end once reached. */
  async failAccount(email: string, now: Date, limits: LockoutLimits): Promise<Date | null> {
    const [locked, value] = await this.run(LoginLockout.accountKey(email), 'count', now.getTime(), limits.maxLoginAttempts, limits.lockoutMinutes * 60_000);
    return locked === 1 ? new Date(value) : null;
  }
}
