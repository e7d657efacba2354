// The one way to open Redis. Timeouts are short and the offline queue is off,
// so a dead Redis makes a command fail within a second instead of hanging a
// request: callers fall back to PostgreSQL or fail closed.
import { Redis, type RedisOptions } from 'ioredis';

export interface RedisClientOptions {
  url: string;
  keyPrefix?: string;
  name: string;
  /** Subscribers need the queue while reconnecting to re-issue SUBSCRIBE. */
  subscriber?: boolean;
}

export function createRedis({ url, keyPrefix, name, subscriber = false }: RedisClientOptions): Redis {
  const options: RedisOptions = {
    connectionName: name,
    connectTimeout: 2000,
    commandTimeout: subscriber ? undefined : 1000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: subscriber,
    lazyConnect: true,
    // Reconnect forever, backing off to 2 s: the service stays up and turns
    // ready again once Redis is back.
    retryStrategy: (times) => Math.min(times * 100, 2000),
  };
  if (keyPrefix && !subscriber) options.keyPrefix = keyPrefix;
  const client = new Redis(url, options);
  // Errors are surfaced through failed commands and readiness; an unhandled
  // 'error' event would crash the process.
  client.on('error', () => {});
  return client;
}

/** Connects, tolerating a Redis that is down at boot (it is retried in the background). */
export async function connectRedis(client: Redis): Promise<boolean> {
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  }
}
