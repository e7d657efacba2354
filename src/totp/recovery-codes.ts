// Ten single-use recovery codes, shown once at enrolment. Each has 50 random
// bits (10 base32 characters), so a SHA-256 is enough to store it; guessing
// is bounded by the login lockout. Consumption removes the hash in one
// conditional UPDATE, so a code works once even under concurrent use.
import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';

const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
export const RECOVERY_CODE_COUNT = 10;

function randomCode(): string {
  const bytes = randomBytes(10);
  let s = '';
  for (const b of bytes) s += alphabet[b & 31];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

/** Case, spaces and dashes do not matter when a person types a code back. */
export function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(normalizeRecoveryCode(code)).digest('base64url');
}

export function isRecoveryCodeShaped(code: string): boolean {
  return /^[a-z2-7]{10}$/.test(normalizeRecoveryCode(code));
}

export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, randomCode);
  return { codes, hashes: codes.map(hashRecoveryCode) };
}

/** True if the code was unused; it is then gone. */
export async function consumeRecoveryCode(em: EntityManager, userId: string, code: string): Promise<boolean> {
  const hash = hashRecoveryCode(code);
  const rows = await em.getConnection().execute<{ id: string }[]>(
    'update users set recovery_codes = array_remove(recovery_codes, ?) where id = ? and ? = any(recovery_codes) returning id',
    [hash, userId, hash],
    'all',
    em.getTransactionContext(),
  );
  return rows.length === 1;
}
