// RFC 6238 TOTP through otplib: 30 s steps, 6 digits, SHA-1 (what every
// authenticator app implements), and ±1 step of clock drift. The clock is
// passed in, so tests and the service agree on "now".
import { authenticator } from 'otplib';

export const TOTP_STEP_SECONDS = 30;

/** A new 160-bit secret (RFC 4226 recommends at least 128), base32. */
export function newTotpSecret(): string {
  return authenticator.generateSecret(20);
}

/** The enrolment URI an authenticator app scans (Key Uri Format). */
export function otpauthUrl(secret: string, account: string, issuer: string): string {
  return authenticator.keyuri(account, issuer, secret);
}

/**
 * The time step a code belongs to, if it matches within ±1 step of `now`;
 * null otherwise. The caller still has to claim the step (replay.ts).
 */
export function matchingStep(secret: string, code: string, now: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const checker = authenticator.clone({ step: TOTP_STEP_SECONDS, window: 1, epoch: now.getTime() });
  const delta = checker.checkDelta(code, secret);
  if (delta === null) return null;
  return Math.floor(now.getTime() / 1000 / TOTP_STEP_SECONDS) + delta;
}

/** The code for `now` (tests and the demo use it; the service only verifies). */
export function totpCode(secret: string, now: Date = new Date()): string {
  return authenticator.clone({ step: TOTP_STEP_SECONDS, epoch: now.getTime() }).generate(secret);
}
