// A small OPA-style bundle server for the tests (node:http): serves the
// published bundle with an ETag, answers If-None-Match with 304, and under
// /lp/ long-polls (holds a request whose ETag is current until a new bundle
// is published or `Prefer: wait=<s>` runs out, and says so with
// `Content-Type: application/vnd.openpolicyagent.bundles`). Under /plain/ it
// is a plain file server (application/gzip). POST /status collects status
// reports. It can be made to hang (accept and never answer) or be stopped,
// to send no ETag (a bare file server: every request gets the whole bundle),
// or, under /lp/, to answer 304 at once instead of holding the request.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface BundleRequest {
  path: string;
  ifNoneMatch: string | undefined;
  prefer: string | undefined;
  authorization: string | undefined;
  status: number;
}

export class BundleServer {
  private body: Buffer = Buffer.alloc(0);
  private etag = '';
  private waiting = new Set<() => void>();
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;
  /** Requests answered, in order. */
  readonly requests: BundleRequest[] = [];
  /** Status reports received (parsed JSON). */
  readonly reports: Record<string, unknown>[] = [];
  /** When true, bundle requests are accepted and never answered. */
  hang = false;
  port = 0;
  /** Required bearer token (null: none). */
  token: string | null = null;
  /** When false, no ETag is sent and If-None-Match is ignored: every bundle request is a 200 with the body. */
  etags = true;
  /** When false, a long poll (/lp/) whose ETag is current is answered 304 at once instead of being held. */
  holdLongPolls = true;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Publishes a bundle: held long polls are answered with it. */
  publish(body: Buffer): string {
    this.body = body;
    this.etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    for (const wake of this.waiting) wake();
    this.waiting.clear();
    return this.etag;
  }

  async start(port = this.port): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Down: the port refuses connections, and held connections are cut. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.waiting.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method === 'POST' && path === '/status') {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      this.reports.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      res.writeHead(200).end();
      return;
    }
    if (this.hang) return; // accepted, never answered: the client's timeout must end it
    const prefer = req.headers.prefer === undefined ? undefined : String(req.headers.prefer);
    const record = (status: number) => this.requests.push({
      path, ifNoneMatch: req.headers['if-none-match'], prefer, authorization: req.headers.authorization, status,
    });
    if (this.token !== null && req.headers.authorization !== `Bearer ${this.token}`) {
      record(401);
      res.writeHead(401).end();
      return;
    }
    const longPoll = path.startsWith('/lp/');
    if (!longPoll && !path.startsWith('/plain/')) {
      record(404);
      res.writeHead(404).end();
      return;
    }
    const wait = Number(/wait=(\d+)/.exec(prefer ?? '')?.[1] ?? 0);
    // Read again after a held request: a bundle published meanwhile is no longer current.
    const current = () => this.etags && req.headers['if-none-match'] === this.etag;
    if (longPoll && wait > 0 && current() && this.holdLongPolls) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait * 1000);
        const waiting = this.waiting;
        function done() {
          clearTimeout(timer);
          waiting.delete(done);
          resolve();
        }
        waiting.add(done);
        res.on('close', done);
      });
      if (res.destroyed) return;
    }
    if (current()) {
      record(304);
      res.writeHead(304, { etag: this.etag }).end();
      return;
    }
    record(200);
    res.writeHead(200, {
      ...(this.etags && { etag: this.etag }),
      'content-type': longPoll ? 'application/vnd.openpolicyagent.bundles' : 'application/gzip',
      'content-length': this.body.length,
    });
    res.end(this.body);
  }
}
