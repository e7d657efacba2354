// Setting a password: the policy's rules, then the history (no reuse of the
// current password nor of the previous ones, `historySize` in all), then the
// new hash. Used by invitation acceptance, password change and renewal.
import type { PasswordPolicy } from '../security/settings.ts';
import { hashPassword, verifyPassword } from './hashing.ts';
import { passwordPolicyError, unmetRules, type PasswordRule } from './policy.ts';

export interface PasswordState {
  passwordHash: string | null;
  passwordHistory: string[];
}

export interface NewPassword {
  passwordHash: string;
  /** Previous hashes, newest first, as many as the history needs. */
  passwordHistory: string[];
}

/** Throws 422 PASSWORD_POLICY naming every unmet rule; otherwise returns the new hash and history. */
export async function newPasswordFor(
  current: PasswordState,
  password: string,
  policy: Required<PasswordPolicy>,
  context: { email: string },
): Promise<NewPassword> {
  const unmet: PasswordRule[] = unmetRules(password, policy, context);
  // Only a candidate of acceptable length is compared with the history: an
  // argon2 verification per stored hash is the expensive part.
  if (!unmet.includes('maxLength') && policy.historySize > 0) {
    const previous = [current.passwordHash, ...current.passwordHistory].filter((h): h is string => h !== null).slice(0, policy.historySize);
    for (const hash of previous) {
      if (await verifyPassword(hash, password, 'history')) {
        unmet.push('history');
        break;
      }
    }
  }
  if (unmet.length > 0) throw passwordPolicyError(unmet);
  const keep = Math.max(policy.historySize - 1, 0);
  const history = [current.passwordHash, ...current.passwordHistory].filter((h): h is string => h !== null).slice(0, keep);
  return { passwordHash: await hashPassword(password), passwordHistory: history };
}

/** Expiry (off unless `expiryDays` is set) forces a change at the next login. */
export function isPasswordExpired(changedAt: Date | null, policy: Required<PasswordPolicy>, now: Date): boolean {
  if (!policy.expiryDays || !changedAt) return false;
  return changedAt.getTime() + policy.expiryDays * 86_400_000 <= now.getTime();
}
