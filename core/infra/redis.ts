// The one way to open Redis, a single server (REDIS_URL) or a Redis Cluster
// (REDIS_CLUSTER_NODES). Timeouts are short and the offline queue is off,
// so a dead Redis (or a dead Cluster master, until its replica takes over)
// makes a command fail within a second instead of hanging a request: callers
// fall back to PostgreSQL or fail closed.
//
// On a Cluster, every multi-key operation the services make (MULTI, MGET,
// Lua scripts) names keys of one record, which share a hash tag
// (core/principal/cache-keys.ts) and so one slot; the key prefix must not
// carry a hash tag of its own (core/config/base.ts refuses braces in it).
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** What callers hold: both clients have the same commands, MULTI, scripts and events. */
export type RedisClient = Redis | Cluster;

export interface RedisClientOptions {
  url: string;
  /** REDIS_CLUSTER_NODES: comma-separated `host:port` seeds. When set, `url` is not used. */
  clusterNodes?: string | undefined;
  keyPrefix?: string;
  name: string;
  /** Subscribers need the queue while reconnecting to re-issue SUBSCRIBE. */
  subscriber?: boolean;
}

export interface ClusterNode {
  host: string;
  port: number;
}

/** `host:port,host:port` → nodes; an empty list is null (single-server mode). */
export function parseClusterNodes(value: string | undefined): ClusterNode[] | null {
  const nodes = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const at = s.lastIndexOf(':');
      return { host: s.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(s.slice(at + 1)) };
    });
  return nodes.length ? nodes : null;
}

const backoff = (times: number) => Math.min(times * 100, 2000);

function nodeOptions(name: string, subscriber: boolean): RedisOptions {
  return {
    connectionName: name,
    connectTimeout: 2000,
    commandTimeout: subscriber ? undefined : 1000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: subscriber,
    lazyConnect: true,
    // Reconnect forever, backing off to 2 s: the service stays up and turns
    // ready again once Redis is back.
    retryStrategy: backoff,
  };
}

/** A subscriber is one connection, even on a cluster: see subscriberOnCluster. */
export function createRedis(opts: RedisClientOptions & { subscriber: true }): Redis;
export function createRedis(opts: RedisClientOptions): RedisClient;
export function createRedis({ url, clusterNodes, keyPrefix, name, subscriber = false }: RedisClientOptions): RedisClient {
  const nodes = parseClusterNodes(clusterNodes);
  let client: RedisClient;
  if (nodes && subscriber) client = subscriberOnCluster(nodes, name);
  else if (nodes) client = new Cluster(nodes, clusterOptions(name, keyPrefix));
  else {
    const options = nodeOptions(name, subscriber);
    if (keyPrefix && !subscriber) options.keyPrefix = keyPrefix;
    client = new Redis(url, options);
  }
  // Errors are surfaced through failed commands and readiness; an unhandled
  // 'error' event would crash the process.
  client.on('error', () => {});
  return client;
}

function clusterOptions(name: string, keyPrefix: string | undefined): ClusterOptions {
  // Per-node reconnects, the queue and lazy connection are the Cluster's own options here.
  const redisOptions: RedisOptions = nodeOptions(name, false);
  delete redisOptions.retryStrategy;
  delete redisOptions.enableOfflineQueue;
  delete redisOptions.lazyConnect;
  return {
    ...(keyPrefix && { keyPrefix }),
    lazyConnect: true,
    enableOfflineQueue: false,
    redisOptions,
    clusterRetryStrategy: backoff,
    // A master that died is replaced by its replica after cluster-node-timeout.
    // Meanwhile a command to its slots is retried every 100 ms, at most 8
    // times (MOVED and retries counted together), so it still fails within
    // about a second, like a command to a dead single server; the slot map
    // is re-read every second, so the promotion is seen without a MOVED.
    maxRedirections: 8,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    slotsRefreshTimeout: 1000,
    slotsRefreshInterval: 1000,
  };
}

/**
 * The change channel on a cluster is classic PUBLISH/SUBSCRIBE, which Redis
 * Cluster forwards to every node (masters and replicas), so one connection to
 * any node hears every announcement. It is a plain connection on purpose: the
 * gateway's subscriber PINGs on the very connection that carries its
 * messages and flushes its cache whenever that connection drops or slows
 * (gateway/principal/authz-subscriber.ts); ioredis' Cluster moves its
 * subscription between nodes on its own, which that check could not see.
 * Each process starts at a random seed, so gateways spread over the nodes and
 * losing one node flushes only the caches of the gateways it carried, not
 * all of them at once. When the node goes away, the next reconnect tries the
 * next seed.
 */
function subscriberOnCluster(nodes: ClusterNode[], name: string): Redis {
  let at = Math.floor(Math.random() * nodes.length);
  const options = nodeOptions(name, true);
  const client = new Redis({
    ...options,
    host: nodes[at]!.host,
    port: nodes[at]!.port,
    retryStrategy: (times) => {
      at = (at + 1) % nodes.length;
      // The connector reads host and port from these options on every connect.
      client.options.host = nodes[at]!.host;
      client.options.port = nodes[at]!.port;
      // Each seed once quickly, then back off as a single server would.
      return times <= nodes.length ? 50 : backoff(times);
    },
  });
  return client;
}

/** Connects, tolerating a Redis that is down at boot (it is retried in the background). */
export async function connectRedis(client: RedisClient): Promise<boolean> {
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  }
}

/**
 * Readiness: a single server answers PING; a cluster says `cluster_state:ok`
 * (every slot served) and every master answers PING within the command
 * timeout. A cluster that lost a master reports not ready until its replica
 * has taken over.
 */
export async function redisReady(client: RedisClient): Promise<boolean> {
  try {
    if (!(client instanceof Cluster)) return (await client.ping()) === 'PONG';
    const info = String(await client.cluster('INFO'));
    if (!/cluster_state:ok/.test(info)) return false;
    const masters = client.nodes('master');
    if (masters.length === 0) return false;
    await Promise.all(masters.map((m) => m.ping()));
    return true;
  } catch {
    return false;
  }
}

/**
 * Every key matching `pattern` (the client's prefix is not applied by SCAN:
 * give it whole). On a cluster each master holds its own slots, so each is
 * scanned.
 */
export async function scanKeys(client: RedisClient, pattern: string): Promise<string[]> {
  const servers: Redis[] = client instanceof Cluster ? client.nodes('master') : [client];
  const keys: string[] = [];
  for (const server of servers) {
    let cursor = '0';
    do {
      const [next, batch] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
  }
  return keys;
}
