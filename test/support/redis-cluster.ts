// A real Redis Cluster for the tests that claim cluster behaviour: 3 masters
// and 3 replicas on six consecutive free loopback ports (cluster bus: each
// port + 10000), picked per run so that two runs, or another program's
// servers, never meet; without persistence, each with its cluster config in a temp folder, made
// a cluster by `redis-cli --cluster create`. cluster-node-timeout is 1000 ms,
// so a killed master is replaced by its replica within about 2 s.
// Started once per test file; stop() kills every server and removes the
// temp folders.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { redisCommandOnce } from './redis-server.ts';

const run = promisify(execFile);

export const CLUSTER_NODE_TIMEOUT_MS = 1000;
const NODES = 6;
/** Redis Cluster's bus listens on the client port + 10000. */
const BUS_OFFSET = 10_000;

export interface RedisClusterHandle {
  /** REDIS_CLUSTER_NODES for the services: every node as a seed. */
  nodes: string;
  ports: readonly number[];
  /** Ports of the current masters (asked of a live node). */
  masters: () => Promise<number[]>;
  /** The master serving `key`'s slot (the key as stored, prefix included). */
  masterOf: (key: string) => Promise<number>;
  /** Ports of the live replicas of the master on `port`. */
  replicasOf: (port: number) => Promise<number[]>;
  /** Ports of the live nodes holding a client connection named `name` (CLIENT SETNAME / connectionName). */
  nodesWithClient: (name: string) => Promise<number[]>;
  /** SIGKILL one server (no SHUTDOWN: a crash, not a maintenance). */
  kill: (port: number) => Promise<void>;
  /** Resolves once every slot is served (cluster_state:ok on every live node) by 3 masters, none of them `gone`; bounded by `ms`. */
  healthy: (ms?: number, gone?: number) => Promise<void>;
  /** Runs one command on a live node (any, or `port`) on a short-lived connection. */
  command: (args: string[], port?: number) => Promise<unknown>;
  stop: () => Promise<void>;
}

const once = (port: number, args: string[]) => redisCommandOnce(port, args, 1000);

/** Whether nothing listens on `port` of the loopback (we could bind it). */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * Six consecutive client ports, each with its bus port, all free now; a
 * random base below the kernel's ephemeral range (32768+ on Linux), so bus
 * ports stay under 65536 and outgoing connections do not take them.
 */
async function freeClusterPorts(): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * (12_000 - NODES));
    const ports = Array.from({ length: NODES }, (_, i) => base + i);
    const free = await Promise.all(ports.flatMap((p) => [bindable(p), bindable(p + BUS_OFFSET)]));
    if (free.every(Boolean)) return ports;
  }
  throw new Error(`redis cluster: found no ${NODES} consecutive free loopback ports (with their bus ports) in 20000–32000`);
}

/** A port of ours turned out to be someone else's: the cluster is not started, and their server is left alone. */
class PortTaken extends Error {
  constructor(port: number, why = 'it is answered by a redis-server this run did not start') {
    super(`redis cluster: port ${port}: ${why}; it is left running, the cluster is not started`);
  }
}

/** Polls `check` every 50 ms until it holds (setup and fault recovery, not a propagation measurement); a PortTaken ends it at once. */
async function until(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const held = await check().catch((err: unknown) => {
      if (err instanceof PortTaken) throw err;
      return false;
    });
    if (held) return;
    if (Date.now() > deadline) throw new Error(`redis cluster: ${what} not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startRedisCluster(): Promise<RedisClusterHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'iam-redis-cluster-'));
  const children = new Map<number, ChildProcess>();
  // A process killed by a signal keeps exitCode null: it has exited when either is set.
  const running = (c: ChildProcess | undefined) => c !== undefined && c.exitCode === null && c.signalCode === null;
  const killAll = () => {
    for (const c of children.values()) if (running(c)) c.kill('SIGKILL');
  };
  // Never outlive the test process.
  process.once('exit', killAll);

  const ports = await freeClusterPorts();
  for (const port of ports) {
    const child = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
      '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`,
      '--cluster-node-timeout', String(CLUSTER_NODE_TIMEOUT_MS),
      // A replica takes over however long it was cut off (the default refuses
      // after 10 × node-timeout), and its first sync starts at once (the
      // diskless default waits 5 s for more replicas).
      '--cluster-replica-validity-factor', '0', '--repl-diskless-sync-delay', '0',
      '--save', '', '--appendonly', 'no',
    ], { stdio: 'ignore' });
    children.set(port, child);
  }
  const alive = (port: number) => running(children.get(port));
  await until('every server accepting', 10_000, async () => {
    for (const port of ports) {
      // Exited at start (most likely the port was taken between picking and binding): say so rather than wait.
      if (!alive(port)) throw new PortTaken(port, 'its redis-server exited at start');
      await once(port, ['PING']);
    }
    return true;
  }).catch((err: unknown) => {
    killAll();
    throw err;
  });
  // Every port is answered by the server this run started, never by a foreign one.
  for (const port of ports) {
    const pid = /process_id:(\d+)/.exec(String(await once(port, ['INFO', 'server'])))?.[1];
    if (Number(pid) !== children.get(port)!.pid) {
      killAll();
      throw new PortTaken(port);
    }
  }
  await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'], { timeout: 30_000 });

  const liveNode = () => ports.find(alive)!;
  const command = (args: string[], port = liveNode()) => once(port, args);

  /** `cluster nodes` of a live node: port → role, health. */
  const topology = async () => {
    const text = String(await command(['CLUSTER', 'NODES']));
    return text.trim().split('\n').map((line) => {
      const [id, addr, flags, master, , , , , ...slots] = line.split(' ');
      return { id: id!, port: Number(addr!.split('@')[0]!.split(':')[1]), flags: flags!.split(','), master: master!, slots: slots.length };
    });
  };
  const masters = async () => (await topology()).filter((n) => n.flags.includes('master') && !n.flags.includes('fail') && n.slots > 0).map((n) => n.port);

  const healthy = (ms = 20_000, gone?: number) =>
    until('cluster_state:ok on every live node', ms, async () => {
      const now = await masters();
      if (now.length !== 3 || (gone !== undefined && now.includes(gone))) return false;
      for (const port of ports.filter(alive)) {
        if (!/cluster_state:ok/.test(String(await command(['CLUSTER', 'INFO'], port)))) return false;
      }
      return true;
    });

  await healthy();
  // A replica can only take over once it has synced with its master.
  await until('every replica in sync', 20_000, async () => {
    const replicas = (await topology()).filter((n) => n.flags.includes('slave')).map((n) => n.port);
    if (replicas.length !== 3) return false;
    for (const port of replicas) {
      if (!/master_link_status:up/.test(String(await command(['INFO', 'replication'], port)))) return false;
    }
    return true;
  });

  return {
    nodes: ports.map((p) => `127.0.0.1:${p}`).join(','),
    ports: ports,
    masters,
    masterOf: async (key) => {
      const slot = Number(await command(['CLUSTER', 'KEYSLOT', key]));
      const shards = (await command(['CLUSTER', 'SLOTS'])) as [number, number, [string, number, ...unknown[]], ...unknown[]][];
      const shard = shards.find(([from, to]) => slot >= from && slot <= to);
      if (!shard) throw new Error(`no master serves slot ${slot}`);
      return Number(shard[2][1]);
    },
    replicasOf: async (port) => {
      const nodes = await topology();
      const id = nodes.find((n) => n.port === port)?.id;
      return nodes.filter((n) => n.master === id && !n.flags.includes('fail') && alive(n.port)).map((n) => n.port);
    },
    nodesWithClient: async (name) => {
      const found: number[] = [];
      for (const port of ports.filter(alive)) {
        if (String(await command(['CLIENT', 'LIST'], port)).includes(` name=${name} `)) found.push(port);
      }
      return found;
    },
    kill: async (port) => {
      const child = children.get(port);
      if (!child || !running(child)) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    healthy,
    command,
    stop: async () => {
      const exits = [...children.values()].filter(running).map((c) => new Promise((r) => c.once('exit', r)));
      killAll();
      await Promise.all(exits);
      process.off('exit', killAll);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
