// Password hashing with argon2id at the OWASP Password Storage parameters
// (m = 19 MiB, t = 2, p = 1). Parameters live in each hash, so raising them
// later only affects new hashes; `needsRehash` says when to upgrade one.
import argon2 from 'argon2';
import { Counter } from 'prom-client';

export const argon2Options = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Policies count code points of the NFC form, so the same text always hashes the same. */
export function normalizePassword(password: string): string {
  return password.normalize('NFC');
}

export async function hashPassword(password: string): Promise<string> {
  return argon2.hash(normalizePassword(password), argon2Options);
}

// Verified instead of a real hash when the user does not exist or has no
// password yet, so the answer takes as long as for a real account.
let dummyHash: Promise<string> | null = null;
function dummy(): Promise<string> {
  dummyHash ??= argon2.hash('no such user: timing equaliser', argon2Options);
  return dummyHash;
}

/** Why a password is verified: a login, a re-authentication before a sensitive change, or the no-reuse history check. */
export type VerificationPurpose = 'login' | 'current_password' | 'history';

/**
 * Every argon2 verification, by purpose and outcome (`no_password`: the
 * dummy hash of an unknown or password-less account). A climb of
 * login/mismatch and login/no_password across many accounts is password
 * spraying, which per-account lockout does not see; it also proves the
 * lockout bounds the work (N verifications per account, whatever the
 * number of parallel attempts). Process-wide (the work is the process's):
 * each control plane's registry exposes it (src/app/create-deps.ts).
 */
export const passwordVerifications = new Counter({
  name: 'control_plane_password_verifications_total',
  help: 'Password verifications (argon2) by purpose (login, current_password, history) and outcome (match, mismatch, no_password)',
  labelNames: ['purpose', 'outcome'] as const,
  registers: [],
});

/** False for a null hash too, after the same amount of work. */
export async function verifyPassword(hash: string | null, password: string, purpose: VerificationPurpose): Promise<boolean> {
  const target = hash ?? (await dummy());
  let ok = false;
  try {
    ok = await argon2.verify(target, normalizePassword(password));
  } catch {
    // A hash argon2 cannot read matches nothing: ok stays false.
  }
  passwordVerifications.labels(purpose, hash === null ? 'no_password' : ok ? 'match' : 'mismatch').inc();
  return ok && hash !== null;
}

export function needsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, argon2Options);
}
