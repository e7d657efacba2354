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

  it('starts each change-channel subscriber on a cluster at a random seed, so gateways spread over the nodes', () => {
    const clusterNodes = ['7001', '7002', '7003', '7004', '7005', '7006'].map((p) => `127.0.0.1:${p}`).join(',');
    // lazyConnect: nothing is dialled; the port is where the first connect goes.
    const first = Array.from({ length: 30 }, () => {
      const sub = createRedis({ url: '', clusterNodes, name: 'spread', subscriber: true });
      const port = sub.options.port;
      sub.disconnect();
      return port;
    });
    // 30 subscribers all on one of six seeds by chance: 6 × (1/6)^30.
    expect(new Set(first).size).toBeGreaterThan(1);
  });
});
