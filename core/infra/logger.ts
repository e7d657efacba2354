// Logger options shared by both services. Secrets never reach a log line:
// authorization headers, cookies, passwords, tokens, codes and secrets are
// redacted wherever they appear in a logged object.
import type { LoggerOptions } from 'pino';

export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.mfaToken',
  '*.code',
  '*.secret',
  '*.totpSecret',
  '*.recoveryCodes',
  'password',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
];

export function loggerOptions(level: string, name: string): LoggerOptions {
  return {
    name,
    level,
    redact: { paths: redactPaths, censor: '[redacted]' },
  };
}
