// A private redis-server for fault tests (never stop the shared one): started
// on a free port without persistence, stopped with SHUTDOWN NOSAVE, started
// again on the same port.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { Redis } from 'ioredis';

export interface PrivateRedis {
  url: string;
  port: number;
  start: () => Promise<void>;
  stop: () => Promise<void>;
  /** Runs one command on a short-lived connection (e.g. CLIENT KILL). */
  command: (...args: string[]) => Promise<unknown>;
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

/** One command to the server on `port`, on a connection of its own that never retries (setup and fault injection). */
export async function redisCommandOnce(port: number, args: string[], connectTimeoutMs?: number): Promise<unknown> {
  const r = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...(connectTimeoutMs === undefined ? {} : { connectTimeout: connectTimeoutMs }) });
  r.on('error', () => {});
  try {
    await r.connect();
    return await r.call(args[0]!, ...args.slice(1));
  } finally {
    r.disconnect();
  }
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const url = `redis://127.0.0.1:${port}`;

  const command = (...args: string[]) => redisCommandOnce(port, args);

  const start = async () => {
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    child = c;
    // Never outlive the test process.
    process.once('exit', () => c.kill());
    // Waiting for a server to boot (setup, not a propagation wait).
    for (let i = 0; i < 200 && !(await accepts(port)); i++) await new Promise((r) => setTimeout(r, 25));
  };

  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    await command('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    await exited;
  };

  await start();
  return { url, port, start, stop, command };
}
