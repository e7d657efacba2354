// The console (docs/console.md) is a static single-page app in console/dist,
// served on the same origin as /v1 so it needs no CORS and its refresh cookie
// stays first-party. Hashed assets are cached for a year; index.html is never
// cached, so a deployment is picked up on the next navigation. Every client
// route (a mailed link such as /invitations/accept?token=…) answers index.html.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** No inline script anywhere: an injected <script> cannot run, and nobody may frame the console. */
export const consoleCsp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

const securityHeaders: Record<string, string> = {
  'content-security-policy': consoleCsp,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Paths that belong to the API and the operations endpoints, never to the console. */
const serverPrefixes = ['/v1', '/docs', '/.well-known', '/healthz', '/readyz', '/metrics'];

function isServerPath(path: string): boolean {
  return serverPrefixes.some((p) => path === p || path.startsWith(`${p}/`));
}

/** A browser navigation to a client route: GET (or HEAD) asking for HTML, outside the API. */
function isClientRoute(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (!(request.headers.accept ?? '').includes('text/html')) return false;
  return !isServerPath(request.url.split('?')[0] ?? '/');
}

export type ClientRouteFallback = (request: FastifyRequest, reply: FastifyReply) => boolean;

/**
 * Serves `dir` (console/dist) at `/`. Returns the not-found fallback that
 * answers index.html for client routes, or null when the console is not built
 * (the control plane then serves the API only and says so in its log).
 */
export async function serveConsole(app: FastifyInstance, dir: string): Promise<ClientRouteFallback | null> {
  const root = resolve(dir);
  const indexFile = join(root, 'index.html');
  if (!existsSync(indexFile)) {
    app.log.warn({ dir: root }, 'console not built (npm run build:console): serving the API only');
    return null;
  }
  const indexHtml = await readFile(indexFile);
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // One route per file found at boot: unknown paths fall through to the
    // not-found handler (JSON 404 for the API, index.html for client routes).
    wildcard: false,
    cacheControl: false,
    schemaHide: true,
    setHeaders: (reply, path) => {
      void reply.headers(securityHeaders);
      // Vite names every file under assets/ by its content hash: safe to cache for good.
      const immutable = path.startsWith(join(root, 'assets'));
      void reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return (request, reply) => {
    if (!isClientRoute(request)) return false;
    void reply.code(200).headers(securityHeaders).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(indexHtml);
    return true;
  };
}
