// Password hashing with argon2id at the OWASP Password Storage parameters
// (m = 19 MiB, t = 2, p = 1). Parameters live in each hash, so raising them
// later only affects new hashes; `needsRehash` says when to upgrade one.
import argon2 from 'argon2';

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

/** Counts evaluations, so tests can prove the lockout bounds them. */
export const passwordEvaluations = { count: 0 };

/** False for a null hash too, after the same amount of work. */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  passwordEvaluations.count++;
  const target = hash ?? (await dummy());
  try {
    const ok = await argon2.verify(target, normalizePassword(password));
    return ok && hash !== null;
  } catch {
    return false;
  }
}

export function needsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, argon2Options);
}
