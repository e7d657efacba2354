// A password policy evaluated against a candidate. Each unmet rule is named,
// so the 422 answer can list them all at once (docs/domain.md#passwords).
import { ApiError } from '../../core/http/errors.ts';
import type { PasswordPolicy } from '../security/settings.ts';
import { isCommonPassword } from './blocklist.ts';
import { normalizePassword } from './hashing.ts';

export type PasswordRule =
  | 'minLength'
  | 'maxLength'
  | 'blocklist'
  | 'contextual'
  | 'requireUpper'
  | 'requireLower'
  | 'requireDigit'
  | 'requireSymbol'
  | 'history';

/** Length in code points of the NFC form (NIST SP 800-63B: each Unicode code point counts as one). */
export function passwordLength(password: string): number {
  return [...normalizePassword(password)].length;
}

/**
 * Rules that need no stored hashes. `context` holds words a user's password
 * must not contain (the email and its local part).
 */
export function unmetRules(password: string, policy: Required<PasswordPolicy>, context: { email?: string } = {}): PasswordRule[] {
  const pw = normalizePassword(password);
  const length = passwordLength(pw);
  const unmet: PasswordRule[] = [];
  if (length < policy.minLength) unmet.push('minLength');
  if (length > policy.maxLength) unmet.push('maxLength');
  if (isCommonPassword(pw)) unmet.push('blocklist');
  if (containsContext(pw, context)) unmet.push('contextual');
  if (policy.requireUpper && !/\p{Lu}/u.test(pw)) unmet.push('requireUpper');
  if (policy.requireLower && !/\p{Ll}/u.test(pw)) unmet.push('requireLower');
  if (policy.requireDigit && !/\p{Nd}/u.test(pw)) unmet.push('requireDigit');
  if (policy.requireSymbol && !/[^\p{L}\p{Nd}]/u.test(pw)) unmet.push('requireSymbol');
  return unmet;
}

function containsContext(pw: string, context: { email?: string }): boolean {
  if (!context.email) return false;
  const lower = pw.toLowerCase();
  const email = context.email.toLowerCase();
  const local = email.split('@')[0] ?? '';
  return lower.includes(email) || (local.length >= 4 && lower.includes(local));
}

export function passwordPolicyError(rules: PasswordRule[]): ApiError {
  return new ApiError(422, 'PASSWORD_POLICY', `password does not meet the policy: ${rules.join(', ')}`, { rules });
}

/** What clients are told about the policy (invitation lookup). */
export function describePolicy(policy: Required<PasswordPolicy>) {
  return {
    minLength: policy.minLength,
    maxLength: policy.maxLength,
    requireUpper: policy.requireUpper,
    requireLower: policy.requireLower,
    requireDigit: policy.requireDigit,
    requireSymbol: policy.requireSymbol,
    historySize: policy.historySize,
    expiryDays: policy.expiryDays,
    blocklist: true,
  };
}
