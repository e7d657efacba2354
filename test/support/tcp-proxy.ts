// A TCP relay in front of a real service (PostgreSQL, Redis) that a test can
// cut and restore: stop() refuses new connections and drops open ones, as a
// dead or unreachable server would; start() listens again on the same port.
// Fault tests also make it slow (`latencyMs`: every chunk, both ways, is held
// that long, order kept), unresponsive (`stall()`: connections are accepted
// and kept, nothing is forwarded either way, as a host that stopped answering
// would) or cut one connection just before it sends a chosen message
// (`cutBefore`, e.g. a transaction's COMMIT), or see (and optionally swallow)
// the server's answer to one (`watchReply`: a COMMIT done, the client never told).
// `observe` lets a test read every chunk as it passes (e.g. to time COMMITs,
// test/support/faults/commit-clock.ts).
import { connect, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface TcpProxy {
  port: number;
  stop: () => Promise<void>;
  start: () => Promise<void>;
  /** Delay added to every chunk in both directions (0 = none); applies to chunks received from now on. */
  latencyMs: number;
  /** Forward nothing, on open and new connections, until `resume()`; connections stay open. */
  stall: () => void;
  /**
   * Ends a stall: new connections are relayed again. Stalled ones are dropped
   * (their bytes are lost), as after a server restart; with `keepDead` they
   * stay open and silent forever, as behind a path that lost their state.
   */
  resume: (opts?: { keepDead?: boolean }) => void;
  /**
   * Once: the next client chunk matching `pattern` is not forwarded and its
   * connection is dropped. Resolves when that has happened.
   */
  cutBefore: (pattern: RegExp) => Promise<void>;
  /**
   * Once: on the first connection whose client sends a chunk matching
   * `marker`, waits for the next server chunk matching `reply` (e.g. the
   * CommandComplete of a COMMIT). With `cut`, that chunk and everything after
   * it on the connection is swallowed (the connection stays open and silent):
   * the server acted, the client never learns.
   * Resolves with performance.now() at the moment the reply was seen.
   */
  watchReply: (marker: RegExp, reply: RegExp, opts?: { cut?: boolean }) => Promise<number>;
  /**
   * Calls `listener` with every chunk the relay receives, either way, at the
   * moment it arrives (before any added latency); `connection` is the same
   * object for both directions of one client connection. Returns the unsubscribe.
   */
  observe: (listener: ChunkListener) => () => void;
}

export type ChunkListener = (chunk: Buffer, from: 'client' | 'server', connection: object) => void;

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const stalled = new Set<Socket>();
  /** Connections of a past stall kept open and silent (`resume({ keepDead: true })`). */
  const dead = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  let latencyMs = 0;
  let stalling = false;
  let cut: { pattern: RegExp; done: () => void } | null = null;
  let watch: { marker: RegExp; reply: RegExp; cut: boolean; servers: Set<Socket>; done: (at: number) => void } | null = null;
  const observers = new Set<ChunkListener>();

  /** Copies `from` to `to`, in order, each chunk `latencyMs` late. */
  const relay = (from: Socket, to: Socket, clientSide: boolean) => {
    let releaseAt = 0;
    const connection = clientSide ? from : to;
    from.on('data', (chunk: Buffer) => {
      for (const f of observers) f(chunk, clientSide ? 'client' : 'server', connection);
      if (stalling || dead.has(from) || dead.has(to)) {
        if (stalling) stalled.add(from);
        return;
      }
      if (clientSide && cut?.pattern.test(chunk.toString('latin1'))) {
        const done = cut.done;
        cut = null;
        from.destroy();
        to.destroy();
        done();
        return;
      }
      if (watch && clientSide && watch.marker.test(chunk.toString('latin1'))) watch.servers.add(to);
      if (watch && !clientSide && watch.servers.has(from) && watch.reply.test(chunk.toString('latin1'))) {
        const { done, cut: drop } = watch;
        watch = null;
        const at = performance.now();
        done(at);
        if (drop) {
          // Swallowed, and the connection stays open and silent: the client
          // waits for an answer that never comes (the test may kill it meanwhile).
          dead.add(from);
          dead.add(to);
          return;
        }
      }
      if (latencyMs <= 0 && releaseAt <= Date.now()) {
        to.write(chunk);
        return;
      }
      releaseAt = Math.max(Date.now() + latencyMs, releaseAt);
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, releaseAt - Date.now());
    });
    from.on('end', () => {
      const wait = Math.max(0, releaseAt - Date.now());
      setTimeout(() => to.end(), wait);
    });
  };

  const listen = async () => {
    const s = createServer((client) => {
      const upstream = connect(targetPort, targetHost);
      for (const sock of [client, upstream]) {
        sockets.add(sock);
        sock.on('close', () => {
          sockets.delete(sock);
          stalled.delete(sock);
          dead.delete(sock);
        });
        sock.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      relay(client, upstream, true);
      relay(upstream, client, false);
    });
    await new Promise<void>((resolve) => s.listen(port, '127.0.0.1', resolve));
    port = (s.address() as { port: number }).port;
    server = s;
  };

  await listen();
  return {
    get port() {
      return port;
    },
    get latencyMs() {
      return latencyMs;
    },
    set latencyMs(ms: number) {
      latencyMs = ms;
    },
    start: listen,
    stop: async () => {
      const s = server;
      server = null;
      for (const sock of sockets) sock.destroy();
      sockets.clear();
      if (s) await new Promise((resolve) => s.close(resolve));
    },
    stall: () => {
      stalling = true;
      for (const sock of sockets) stalled.add(sock);
    },
    resume: (opts = {}) => {
      stalling = false;
      for (const sock of stalled) {
        if (opts.keepDead) dead.add(sock);
        else sock.destroy();
      }
      stalled.clear();
    },
    cutBefore: (pattern) => new Promise<void>((done) => (cut = { pattern, done })),
    watchReply: (marker, reply, opts = {}) =>
      new Promise<number>((done) => (watch = { marker, reply, cut: opts.cut ?? false, servers: new Set(), done })),
    observe: (listener) => {
      observers.add(listener);
      return () => observers.delete(listener);
    },
  };
}
