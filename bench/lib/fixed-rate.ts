// Open-loop load at a fixed rate, for added latency. Requests fall due at
// evenly spaced instants, released every millisecond (a timer tick), and go
// out on the next free keep-alive connection; each latency runs from its
// release, not from when a connection was free, so a slow answer is not hidden
// by the requests it held up (coordinated omission). (From the release
// rather than the exact due instant: the tick's sub-millisecond lag is the
// client's, not the server's.) autocannon's `overallRate` is not this: each
// connection sends its per-second quota back to back at the start of every
// second, so "60 % of capacity" is full speed for most of each second.
//
// The client speaks just enough HTTP/1.1 (a pre-built GET, responses with a
// Content-Length) to cost a few µs per request: on a 2-core machine a
// heavier client would itself become the bottleneck and the queue it builds
// would be measured as latency.
import { connect, type Socket } from 'node:net';
import { FineHistogram } from '../../gateway/ops/stage-timing.ts';

interface Conn {
  socket: Socket;
  buf: Buffer;
  /** When the request in flight was due (ms, performance.now()), or -1 when idle. */
  due: number;
  alive: boolean;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:\s*(\d+)/i;

export interface LoadResult {
  /** Responses per second over the run. */
  rps: number;
  /** Latency percentiles in milliseconds, from the microsecond histogram. */
  p50: number;
  p97_5: number;
  p99: number;
  mean: number;
  max: number;
  non2xx: number;
  errors: number;
  requests: number;
  durationSec: number;
}

export async function fixedRateLoad(o: {
  url: string;
  headers: Record<string, string>;
  rate: number;
  durationSec: number;
  connections: number;
  /** Requests sent in turn (the realistic mix) instead of `url` with `headers`. */
  mix?: { path: string; headers: Record<string, string> }[];
}): Promise<LoadResult> {
  const target = new URL(o.url);
  const build = (path: string, headers: Record<string, string>) => Buffer.from(
    `GET ${path} HTTP/1.1\r\nhost: ${target.host}\r\n` +
      Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('') +
      '\r\n',
  );
  const requests = o.mix?.length ? o.mix.map((r) => build(r.path, r.headers)) : [build(`${target.pathname}${target.search}`, o.headers)];
  let nextRequest = 0;
  const latency = new FineHistogram();
  const queue: number[] = [];
  let queueHead = 0;
  let sent = 0;
  let done = 0;
  let non2xx = 0;
  let errors = 0;

  const send = (c: Conn, due: number) => {
    c.due = due;
    c.socket.write(requests[nextRequest++ % requests.length]!);
  };
  // rate 0: closed loop (each connection sends its next request as soon as the last is answered, until the end).
  const closed = o.rate <= 0;
  let endAt = Infinity;
  const next = (c: Conn) => {
    if (closed) {
      const now = performance.now();
      if (now < endAt) send(c, now);
      else c.due = -1;
    } else if (queueHead < queue.length) send(c, queue[queueHead++]!);
    else c.due = -1;
  };
  const onData = (c: Conn, chunk: Buffer) => {
    c.buf = c.buf.length === 0 ? chunk : Buffer.concat([c.buf, chunk]);
    for (;;) {
      const headEnd = c.buf.indexOf(HEAD_END);
      if (headEnd < 0) return;
      const head = c.buf.toString('latin1', 0, headEnd);
      const length = Number(CONTENT_LENGTH.exec(head)?.[1] ?? NaN);
      if (!Number.isFinite(length)) {
        // Not a response this client can frame: count it and drop the connection.
        errors++;
        done++;
        c.alive = false;
        c.socket.destroy();
        return;
      }
      const total = headEnd + 4 + length;
      if (c.buf.length < total) return;
      const status = Number(head.slice(9, 12));
      if (status >= 200 && status < 300) latency.record(Math.round((performance.now() - c.due) * 1e6));
      else non2xx++;
      done++;
      c.buf = c.buf.subarray(total);
      next(c);
    }
  };
  const conns = await Promise.all(
    Array.from({ length: o.connections }, () => new Promise<Conn>((resolve, reject) => {
      const socket = connect(Number(target.port), target.hostname, () => resolve(c));
      const c: Conn = { socket, buf: Buffer.alloc(0), due: -1, alive: true };
      socket.setNoDelay(true);
      socket.on('data', (d: Buffer) => onData(c, d));
      socket.once('error', reject);
      socket.on('close', () => {
        if (c.alive && c.due >= 0) {
          errors++;
          done++;
        }
        c.alive = false;
      });
    })),
  );

  const start = performance.now();
  if (closed) {
    endAt = start + o.durationSec * 1000;
    for (const c of conns) next(c);
    while (performance.now() < endAt + 10_000 && conns.some((c) => c.alive && c.due >= 0)) await new Promise((r) => setTimeout(r, 5));
    for (const c of conns) {
      c.alive = false;
      c.socket.destroy();
    }
    const elapsed = (performance.now() - start) / 1000;
    const s = latency.snapshot();
    const ms = (us: number) => Math.round(us) / 1000;
    return {
      rps: (done - non2xx - errors) / elapsed, p50: ms(s.p50Us), p97_5: ms(latency.percentileNs(97.5) / 1000), p99: ms(s.p99Us),
      mean: ms(s.meanUs), max: ms(s.maxUs), non2xx, errors, requests: done, durationSec: elapsed,
    };
  }
  const interval = 1000 / o.rate;
  const total = Math.floor((o.durationSec * 1000) / interval);
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - start) / interval));
      while (sent < due) {
        sent++;
        const at = now;
        const idle = conns.find((c) => c.alive && c.due < 0);
        if (idle) send(idle, at);
        else queue.push(at);
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  const deadline = performance.now() + 10_000;
  while (done < sent && performance.now() < deadline && conns.some((c) => c.alive)) await new Promise((r) => setTimeout(r, 5));
  for (const c of conns) {
    c.alive = false;
    c.socket.destroy();
  }
  const s = latency.snapshot();
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    rps: (done - non2xx - errors) / o.durationSec,
    p50: ms(s.p50Us),
    p97_5: ms(latency.percentileNs(97.5) / 1000),
    p99: ms(s.p99Us),
    mean: ms(s.meanUs),
    max: ms(s.maxUs),
    non2xx,
    errors: errors + (sent - done),
    requests: done,
    durationSec: o.durationSec,
  };
}
