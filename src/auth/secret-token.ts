import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A 256-bit random secret for links and refresh tokens, URL-safe. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Secrets are stored as SHA-256: they are high-entropy, so a fast hash is
 * enough, and lookups by hash stay indexable.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
