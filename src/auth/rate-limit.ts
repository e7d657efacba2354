// @fastify/rate-limit on the unauthenticated authentication routes, counted in
// Redis so every instance shares the budget. The key is the client IP and the
// route; the account-level defence is the lockout (src/lockout). Limits come
// from AUTH_RATE_LIMIT_MAX per AUTH_RATE_LIMIT_WINDOW_SECONDS.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../core/http/errors.ts';

export async function registerAuthRateLimit(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    redis: app.deps.redis,
    nameSpace: 'rate-limit:',
    // A Redis outage fails these routes closed rather than lifting the limit.
    skipOnError: false,
    errorResponseBuilder: (_request, ctx) => new ApiError(429, 'RATE_LIMITED', `too many requests; retry in ${ctx.after}`),
  });
}

/** Route option: `config: authRateLimit(app)`. */
export function authRateLimit(app: FastifyInstance) {
  const { AUTH_RATE_LIMIT_MAX, AUTH_RATE_LIMIT_WINDOW_SECONDS } = app.deps.config;
  return { rateLimit: { max: AUTH_RATE_LIMIT_MAX, timeWindow: AUTH_RATE_LIMIT_WINDOW_SECONDS * 1000 } };
}
