// Which route a request goes to, on a canonical path. Prefixes match whole
// segments, and a path that could mean something else to the upstream than
// to the route table (dot segments, encoded slashes, backslashes) is refused,
// so no spelling of a URL reaches an upstream under another route's module.
import type { FastifyRequest } from 'fastify';
import type { GatewayRoute, Locator } from '../../core/routes/route-table.ts';

/** Anything that may need more than a glance: double slashes, dot segments, escapes, backslashes. */
const needsWork = /\/\/|\/\.|%|\\/;

/**
 * The canonical form of a request path (no query), or null to refuse it.
 * Repeated slashes collapse (a trailing one is kept); `.` and `..` segments,
 * also percent-encoded (once or twice) or with `;params`, and encoded `/`, `\`
 * or NUL are refused.
 */
export function canonicalPath(path: string): string | null {
  if (path.charCodeAt(0) !== 47 /* / */) return null; // absolute-form or garbage
  if (!needsWork.test(path)) return path;
  if (path.includes('\\')) return null;
  const parts = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) {
    const seg = parts[i]!;
    if (seg === '') {
      if (i === parts.length - 1) out.push('');
      continue;
    }
    let decoded = seg;
    if (seg.includes('%')) {
      try {
        decoded = decodeURIComponent(seg);
      } catch {
        return null;
      }
      // Separators, and dots or separators encoded twice: an upstream that decodes
      // once more (CWE-174) would see `..` or `/` where the route table saw none.
      if (/[/\\\0]|%(2e|2f|5c|00)/i.test(decoded)) return null;
    }
    const bare = decoded.split(';', 1)[0];
    if (bare === '.' || bare === '..') return null;
    out.push(seg);
  }
  return '/' + out.join('/');
}

/** Routes by prefix; the longest prefix wins. */
export class RouteMatcher {
  private readonly entries: { route: GatewayRoute; prefix: string; prefixSlash: string }[];

  constructor(routes: GatewayRoute[]) {
    this.entries = [...routes]
      .sort((a, b) => b.prefix.length - a.prefix.length)
      .map((route) => ({ route, prefix: route.prefix, prefixSlash: `${route.prefix}/` }));
  }

  /** `path` must be canonical (see canonicalPath): then a string prefix is a segment prefix. */
  match(path: string): GatewayRoute | null {
    for (const e of this.entries) {
      if (path === e.prefix || path.startsWith(e.prefixSlash)) return e.route;
    }
    return null;
  }
}

/** Marks a locator value the request makes ambiguous or unreadable (400). */
export const UNREADABLE = Symbol('unreadable');

/**
 * Reads a merchant, product or gateway reference id where the route says it
 * is: "" when the request names none.
 */
export function locate(
  loc: Locator | undefined,
  request: FastifyRequest,
  route: GatewayRoute,
  path: string,
): string | typeof UNREADABLE {
  if (loc === undefined) return '';
  if (loc.from === 'header') {
    const v = request.headers[loc.name];
    return typeof v === 'string' ? v.trim() : '';
  }
  if (loc.from === 'query') {
    const v = (request.query as Record<string, unknown> | undefined)?.[loc.name];
    if (v === undefined) return '';
    // Repeated parameters: the upstream might read another one than we did.
    return typeof v === 'string' ? v : UNREADABLE;
  }
  // from: path — the zero-based segment after the prefix.
  const rest = path.slice(route.prefix.length + 1);
  const seg = rest.split('/')[Number(loc.name)] ?? '';
  if (!seg.includes('%')) return seg;
  try {
    return decodeURIComponent(seg);
  } catch {
    return UNREADABLE;
  }
}
