// The stable refusals of the authentication routes (docs/http.md#errors).
import { ApiError } from '../../core/http/errors.ts';

/** One answer for unknown user, wrong password and an account that may not log in (OWASP ASVS 2.2 / V6.3). */
export const invalidCredentials = () => new ApiError(401, 'INVALID_CREDENTIALS', 'invalid email or password');

export const accountLocked = (until: Date) =>
  new ApiError(423, 'ACCOUNT_LOCKED', `too many failed attempts; try again after ${until.toISOString()}`, {
    lockedUntil: until.toISOString(),
  });

export const totpInvalid = () => new ApiError(401, 'TOTP_INVALID', 'the code is not valid');
export const totpReplayed = () => new ApiError(401, 'TOTP_REPLAYED', 'this code has already been used; wait for the next one');
export const loginCannotContinue = () => new ApiError(401, 'UNAUTHENTICATED', 'this login cannot continue; sign in again');

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
