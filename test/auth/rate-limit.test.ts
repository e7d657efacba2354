// @fastify/rate-limit on the authentication routes, counted in Redis: past
// AUTH_RATE_LIMIT_MAX requests per window and route, 429 RATE_LIMITED.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane.ts';
import { client } from '../support/http.ts';
import { testEnv } from '../support/env.ts';

let cp: RunningControlPlane;
let second: RunningControlPlane;
beforeAll(async () => {
  // Its own key prefix, so the other test files' logins do not count here.
  const prefix = `${testEnv()['REDIS_KEY_PREFIX']}rate-limit-test:`;
  cp = await startControlPlane({ AUTH_RATE_LIMIT_MAX: '3', REDIS_KEY_PREFIX: prefix });
  second = await startControlPlane({ AUTH_RATE_LIMIT_MAX: '3', REDIS_KEY_PREFIX: prefix });
});
afterAll(async () => {
  await cp.close();
  await second.close();
});

describe('rate limit', () => {
  it('trips with 429 RATE_LIMITED in the error shape, shared across instances through Redis', async () => {
    const body = { email: 'nobody@nowhere.test', password: 'whatever-password' };
    const statuses: number[] = [];
    for (const instance of [cp, second, cp]) statuses.push((await client(instance.url).post('/v1/auth/login', body)).status);
    expect(statuses).toEqual([401, 401, 401]);
    const limited = await client(second.url).post('/v1/auth/login', body);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', code: 'RATE_LIMITED' });
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    // Limits are per route: another route still answers.
    expect((await client(cp.url).post('/v1/auth/refresh', { refreshToken: 'x' })).status).toBe(401);
  });
});
