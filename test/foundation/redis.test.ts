import { describe, expect, it } from 'vitest';
import { connectRedis, createRedis } from '../../core/infra/redis.ts';
import { testEnv } from '../support/env.ts';

describe('redis client factory', () => {
  it('fails a command instead of queueing it when Redis is unreachable', async () => {
    const redis = createRedis({ url: 'redis://127.0.0.1:1', name: 'dead' });
    expect(await connectRedis(redis)).toBe(false);
    await expect(redis.get('k')).rejects.toThrow();
    redis.disconnect();
  });

  it('applies the run key prefix', async () => {
    const env = testEnv();
    const redis = createRedis({ url: env['REDIS_URL']!, keyPrefix: env['REDIS_KEY_PREFIX']!, name: 'prefix' });
    await connectRedis(redis);
    await redis.set('probe', '1', 'EX', 10);
    const raw = createRedis({ url: env['REDIS_URL']!, name: 'raw' });
    await connectRedis(raw);
    expect(await raw.get(`${env['REDIS_KEY_PREFIX']}probe`)).toBe('1');
    redis.disconnect();
    raw.disconnect();
  });
});
