// A real upstream for gateway tests: a small Fastify echo server that records
// every request it receives (method, url, headers, body), so a test can check
// what the gateway forwarded, and what it never forwarded.
import Fastify from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string | null;
}

export interface RunningUpstream {
  url: string;
  received: ReceivedRequest[];
  /** The last request received whose url starts with `prefix`. */
  last: (prefix?: string) => ReceivedRequest | undefined;
  close: () => Promise<void>;
}

export async function startUpstream(): Promise<RunningUpstream> {
  const received: ReceivedRequest[] = [];
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.all('/*', async (request, reply) => {
    received.push({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: typeof request.body === 'string' ? request.body : null,
    });
    // /…/slow?ms=N answers late (upstream timeout tests); /…/status/NNN answers NNN.
    const slow = /\/slow\?ms=(\d+)/.exec(request.url);
    if (slow) await new Promise((r) => setTimeout(r, Number(slow[1])));
    const status = /\/status\/(\d{3})/.exec(request.url);
    if (status) void reply.code(Number(status[1]));
    void reply.header('x-upstream', 'echo');
    return { upstream: 'echo', method: request.method, url: request.url };
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    received,
    last: (prefix = '/') => [...received].reverse().find((r) => r.url.startsWith(prefix)),
    close: () => app.close(),
  };
}
