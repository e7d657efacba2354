// The console's session (docs/console.md): the access token lives in the page's
// memory only; the refresh token rides in a cookie the page's script cannot
// read (HttpOnly), that no other site's request carries (SameSite=Strict) and
// that only the authentication routes receive (Path=/v1/auth). API clients
// keep the refreshToken of the JSON bodies; the cookie is set beside it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/env.ts';
import { ApiError } from '../../core/http/errors.ts';

export const REFRESH_COOKIE = 'iam_refresh';
export const REFRESH_COOKIE_PATH = '/v1/auth';

function scope(config: Config) {
  return {
    httpOnly: true,
    sameSite: 'strict' as const,
    path: REFRESH_COOKIE_PATH,
    // Browsers drop a Secure cookie sent over plain http: only under https.
    secure: config.PUBLIC_URL.startsWith('https:'),
  };
}

const cookieOptions = (config: Config) => ({ ...scope(config), maxAge: config.REFRESH_TOKEN_TTL_SECONDS });

export function clearRefreshCookie(reply: FastifyReply, config: Config): void {
  void reply.clearCookie(REFRESH_COOKIE, scope(config));
}

/**
 * Every answer of the authentication routes that carries a refresh token
 * (login, login/totp, mfa/verify, refresh, switch, password/renew) also sets
 * it as the cookie: one hook, so a new token-issuing route cannot forget it.
 */
export function setRefreshCookieOnTokens(app: FastifyInstance): void {
  app.addHook('preSerialization', async (_request, reply, payload) => {
    const token = (payload as { refreshToken?: unknown } | null)?.refreshToken;
    if (reply.statusCode === 200 && typeof token === 'string') {
      void reply.setCookie(REFRESH_COOKIE, token, cookieOptions(app.deps.config));
    }
    return payload;
  });
}

/**
 * A request authenticated by the cookie must come from the console's own
 * origin: PUBLIC_URL's, or the one the request was addressed to. Browsers
 * always send Origin on POST; a request without one is not the console's.
 * SameSite=Strict already keeps other sites' requests from carrying the
 * cookie; this check holds when a browser or proxy gets that wrong.
 */
export function assertConsoleOrigin(request: FastifyRequest, config: Config): void {
  const origin = request.headers.origin;
  const allowed = new Set([new URL(config.PUBLIC_URL).origin, `${request.protocol}://${request.host}`]);
  if (typeof origin !== 'string' || !allowed.has(origin)) {
    throw new ApiError(403, 'ORIGIN_MISMATCH', 'a cookie-authenticated request must come from the console origin');
  }
}

/** The refresh token of a request: the body's (API clients) or else the cookie's (the console). */
export function presentedRefreshToken(
  request: FastifyRequest,
  bodyToken: string | undefined,
  config: Config,
): { token: string; fromCookie: boolean } | null {
  if (bodyToken !== undefined) return { token: bodyToken, fromCookie: false };
  const cookie = request.cookies[REFRESH_COOKIE];
  if (!cookie) return null;
  assertConsoleOrigin(request, config);
  return { token: cookie, fromCookie: true };
}
