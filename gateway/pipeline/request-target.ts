// Which route a request goes to, on a canonical path. Prefixes match whole
// segments, and a path that could mean something else to the upstream than
// to the route table (dot segments, encoded slashes, backslashes) is refused,
// so no spelling of a URL reaches an upstream under another route's module.
import type { FastifyRequest } from 'fastify';
import type { GatewayRoute, Locator } from '../../core/routes/route-table.ts';

/** Anything that may need more than a glance: double slashes, dot segments, escapes, backslashes, non-ASCII. */
const needsWork = /\/\/|\/\.|%|\\|[^ -~]/;

/** How many times an upstream might decode a value (each layer of a proxy chain, a framework, an app). */
const MAX_DECODES = 4;

/**
 * Every reading of `s` an upstream might arrive at: as is, percent-decoded
 * once, twice, … (CWE-174), each also NFKC-normalised (fullwidth `．` is `.`,
 * `／` is `/`). null when the first decoding fails (a malformed URL), or
 * escapes remain after MAX_DECODES layers; a later layer that does not decode
 * ends the readings (`50%25off` is `50%off` to everyone).
 */
function readings(s: string): string[] | null {
  try {
    if (s.includes('%')) decodeURIComponent(s);
  } catch {
    return null;
  }
  const out = [s];
  // Breadth first over "decode once" and "NFKC", each reading once.
  for (let i = 0; i < out.length; i++) {
    if (out.length > 4 * MAX_DECODES) return null;
    const cur = out[i]!;
    const nfkc = cur.normalize('NFKC');
    if (!out.includes(nfkc)) out.push(nfkc);
    if (!cur.includes('%')) continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(cur);
    } catch {
      continue;
    }
    if (!out.includes(decoded)) out.push(decoded);
  }
  return out;
}

/** A reading with a separator, NUL, or a `.`/`..` segment (also before `;params`). */
function unsafeReading(r: string): boolean {
  if (/[/\\\0]/.test(r)) return true;
  const bare = r.split(';', 1)[0];
  return bare === '.' || bare === '..';
}

/**
 * The canonical form of a request path (no query), or null to refuse it.
 * Repeated slashes collapse (a trailing one is kept); a segment any reading of
 * which (decoded at any depth, NFKC-normalised) is `.` or `..` (also with
 * `;params`) or holds `/`, `\` or NUL is refused.
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
    const all = readings(seg);
    if (all === null || all.some(unsafeReading)) return null;
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
 * A name as lenient parsers fold it: NFKC, lower case, an array suffix
 * (`name[]`, `name[0]`) dropped, `.`, space and `-` folded into `_` (PHP, CGI).
 */
export function foldName(name: string): string {
  let n = name.normalize('NFKC').toLowerCase();
  const bracket = n.indexOf('[');
  if (bracket >= 0) n = n.slice(0, bracket);
  return n.replace(/[\s.-]/g, '_');
}

/** Whether an upstream might read `key` (a raw query key or header name) as the name folded to `folded`. */
export function readsAs(key: string, folded: string): boolean {
  const all = readings(key.replace(/\+/g, ' ')) ?? [key];
  return all.some((r) => foldName(r) === folded);
}

/** A value is used only when every reading of it is itself: no escapes left, NFKC-stable, no separators or dot segments, no list. */
function cleanValue(v: string): string | typeof UNREADABLE {
  if (v === '') return v;
  // Printable ASCII is NFKC-stable: the hot path normalises nothing.
  const ascii = printableAscii.test(v);
  if (!ascii && (/[^ -~\u0080-\uffff]/.test(v) || v.normalize('NFKC') !== v)) return UNREADABLE;
  if (v.includes('%') || v.includes(',') || unsafeReading(v)) return UNREADABLE;
  return v;
}

const printableAscii = /^[ -~]*$/;

/**
 * The one value of query parameter `name` in the raw query string, or
 * UNREADABLE when the query names it ambiguously: more than once, as an array
 * (`name[]=`, `name[0]=`), or in another spelling an upstream may take for it
 * (`NAME`, `na%6De`, fullwidth letters, `na.me` for `na_me`).
 */
function queryValue(query: string, name: string): string | typeof UNREADABLE {
  const wanted = foldName(name);
  let found: string | undefined;
  for (const pair of query.split(/[&;]/)) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    if (key !== name && !readsAs(key, wanted)) continue;
    if (key !== name || found !== undefined) return UNREADABLE;
    const raw = eq < 0 ? '' : pair.slice(eq + 1).replace(/\+/g, ' ');
    try {
      found = decodeURIComponent(raw);
    } catch {
      return UNREADABLE;
    }
  }
  return found === undefined ? '' : cleanValue(found);
}

/**
 * Reads a merchant, product or gateway reference id where the route says it
 * is: "" when the request names none, UNREADABLE when it names it in a way an
 * upstream could read differently (finding 13 of issue 17).
 */
export function locate(
  loc: Locator | undefined,
  request: FastifyRequest,
  route: GatewayRoute,
  path: string,
): string | typeof UNREADABLE {
  if (loc === undefined) return '';
  if (loc.from === 'header') {
    // `x_merchant_id` is `x-merchant-id` to a CGI-style upstream: only the exact name may carry it.
    let folded: string | null = null;
    for (const name in request.headers) {
      if (name === loc.name || name.length !== loc.name.length) continue;
      if (readsAs(name, (folded ??= foldName(loc.name)))) return UNREADABLE;
    }
    const v = request.headers[loc.name];
    if (v === undefined) return '';
    return typeof v === 'string' ? cleanValue(v.trim()) : UNREADABLE;
  }
  if (loc.from === 'query') {
    const url = request.url;
    const q = url.indexOf('?');
    return q < 0 ? '' : queryValue(url.slice(q + 1), loc.name);
  }
  // from: path — the zero-based segment after the prefix.
  const rest = path.slice(route.prefix.length + 1);
  const seg = rest.split('/')[Number(loc.name)] ?? '';
  if (!seg.includes('%')) return cleanValue(seg);
  try {
    return cleanValue(decodeURIComponent(seg));
  } catch {
    return UNREADABLE;
  }
}
