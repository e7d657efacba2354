// HTTP as written, not as fetch() would tidy it: a request whose path keeps
// its `..` and doubled slashes (rawRequest), and bytes on a TCP socket, sent
// when and as slowly as the test says, so path spellings, duplicate headers
// and slow clients reach the server exactly as written (rawExchange).
import { request } from 'node:http';
import { connect } from 'node:net';

export interface RawExchange {
  /** Status of the first response line, or 0 when the server answered nothing. */
  status: number;
  /** Everything the server sent. */
  text: string;
  /** ms from connecting until the server closed the connection (or we gave up). */
  closedAfter: number;
  /** Whether the server closed it (false: still open when `giveUpMs` passed). */
  closedByServer: boolean;
  /** How many of the pieces were written before the server closed. */
  written: number;
}

/**
 * Writes `pieces` to `baseUrl`'s host and port, waiting `gapMs` before each
 * piece after the first, until the server closes or `giveUpMs` passes.
 */
export function rawExchange(
  baseUrl: string,
  pieces: (string | Buffer)[],
  opts: { gapMs?: number; giveUpMs?: number; untilResponse?: boolean } = {},
): Promise<RawExchange> {
  const { hostname, port } = new URL(baseUrl);
  const gap = opts.gapMs ?? 0;
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    let written = 0;
    let done = false;
    const finish = (closedByServer: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(giveUp);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text, closedAfter: Date.now() - started, closedByServer, written });
    };
    const giveUp = setTimeout(() => finish(false), opts.giveUpMs ?? 10_000);
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      if (opts.untilResponse && responseComplete(Buffer.concat(chunks).toString('latin1'))) finish(false);
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', async () => {
      for (const piece of pieces) {
        if (done || socket.destroyed) return;
        if (written > 0 && gap > 0) await new Promise((r) => setTimeout(r, gap));
        if (done || socket.destroyed) return;
        socket.write(piece);
        written++;
      }
    });
  });
}

/** A whole request as raw text: request line, headers (in order, duplicates kept) and body. */
export function rawRequestText(method: string, target: string, headers: [string, string][], body = ''): string {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', ...headers.map(([k, v]) => `${k}: ${v}`)];
  if (body !== '' && !headers.some(([k]) => /^(content-length|transfer-encoding)$/i.test(k))) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\nConnection: close\r\n\r\n${body}`;
}

/** Whether `text` holds a whole response (by its Content-Length, or a HEAD-less empty body). */
function responseComplete(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end))?.[1];
  if (length !== undefined) return Buffer.byteLength(text.slice(end + 4), 'latin1') >= Number(length);
  return /\r\ntransfer-encoding: *chunked/i.test(text.slice(0, end)) ? text.endsWith('0\r\n\r\n') : false;
}

/** One request with the path exactly as written; the body is JSON when it parses. */
export function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Record<string, string | string[] | undefined> }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : null;
        } catch {
          // keep text
        }
        resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** A URL on which nothing listens (the port was just released). */
export async function closedPortUrl(): Promise<string> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}
