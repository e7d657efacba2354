// The request facts a route's `policyInput` adds to the policy input
// (docs/http.md#policy-input): `request.method`, `request.path` (segments of
// the canonical path), `request.query` (name → value, or a list when
// repeated) and `request.headers.<name>`. Only for routes that ask: a route
// without `policyInput` never reaches this file and its input is unchanged.
//
// A rule on these facts is only as good as their agreement with what the
// upstream reads, so a request the upstream could read differently from the
// policy is refused (400) rather than decided: a path segment with `;`
// parameters, or that still has escapes after one decoding or is not
// NFKC-stable, a raw `;` in the query
// (some servers split on it), two query names an upstream may fold together
// (`role` and `ROLE`, `a.b` and `a_b`), a header the policy reads that
// appears twice or beside a name that folds into it (`x_tenant`).
//
// The facts are one JSON fragment made once per request: the decision memo's
// key, the request part of the wasm input and the decision-log event all use
// the same string.
import type { FastifyRequest } from 'fastify';
import type { RequestFactSpec } from '../../core/routes/route-table.ts';
import { foldName, readsAs } from './request-target.ts';

export interface RequestFacts {
  /** The facts as members of `input.request`. */
  value: RequestFactValues;
  /** The same as JSON members without braces (`"method":"GET","path":[…]`), never "". */
  json: string;
}

export interface RequestFactValues {
  method?: string;
  path?: string[];
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
}

/** Returned when the request names a fact ambiguously (the gate answers 400). */
export const AMBIGUOUS = Symbol('ambiguous request fact');

const printableAscii = /^[ -~]*$/;

/** A decoded value an upstream reads the same way whether it decodes again or normalises: no escapes left, NFKC-stable. */
function stable(v: string): boolean {
  if (v.includes('%')) return false;
  return printableAscii.test(v) || (!/[^ -~\u0080-\uffff]/.test(v) && v.normalize('NFKC') === v);
}

/** Segments of a canonical path (request-target.ts canonicalPath), each percent-decoded once; a trailing slash is a last "" segment. */
export function pathSegments(path: string): string[] | typeof AMBIGUOUS {
  const raw = path.split('/');
  const out: string[] = [];
  for (let i = 1; i < raw.length; i++) {
    const seg = raw[i]!;
    // `notes;v=1` is `notes` to servers that strip path parameters (Tomcat, Spring).
    if (seg.includes(';')) return AMBIGUOUS;
    if (!seg.includes('%')) {
      if (!printableAscii.test(seg) && !stable(seg)) return AMBIGUOUS;
      out.push(seg);
      continue;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      return AMBIGUOUS;
    }
    if (!stable(decoded)) return AMBIGUOUS;
    out.push(decoded);
  }
  return out;
}

const decodeComponent = (s: string): string | null => {
  if (!s.includes('%') && !s.includes('+')) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return null;
  }
};

/** The query string (without `?`) as name → value, or → list of values when a name repeats. */
export function queryObject(query: string): Record<string, string | string[]> | typeof AMBIGUOUS {
  // Null prototype: a parameter named __proto__ is a parameter, not a prototype.
  const out = Object.create(null) as Record<string, string | string[]>;
  if (query === '') return out;
  if (query.includes(';')) return AMBIGUOUS;
  const folded = new Map<string, string>();
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = decodeComponent(eq < 0 ? '' : pair.slice(eq + 1));
    if (name === null || value === null) return AMBIGUOUS;
    const f = foldName(name);
    const first = folded.get(f);
    if (first === undefined) folded.set(f, name);
    else if (first !== name) return AMBIGUOUS;
    const had = out[name];
    out[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  return out;
}

/** The headers the route names that the request carries (absent ones are left out). */
function headerObject(names: readonly string[], request: FastifyRequest): Record<string, string> | typeof AMBIGUOUS {
  const out = Object.create(null) as Record<string, string>;
  const raw = request.raw.rawHeaders;
  for (const wanted of names) {
    let seen = 0;
    let folded: string | null = null;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      if (name === wanted) {
        if (++seen > 1) return AMBIGUOUS;
        continue;
      }
      if (name.length === wanted.length && readsAs(name, (folded ??= foldName(wanted)))) return AMBIGUOUS;
    }
    const v = request.headers[wanted];
    if (typeof v === 'string') out[wanted] = v;
  }
  return out;
}

/** The facts of `request` that `spec` asks for, on its canonical `path`. */
export function requestFacts(spec: RequestFactSpec, request: FastifyRequest, path: string): RequestFacts | typeof AMBIGUOUS {
  const value: RequestFactValues = {};
  if (spec.method) value.method = request.method;
  if (spec.path) {
    const p = pathSegments(path);
    if (p === AMBIGUOUS) return AMBIGUOUS;
    value.path = p;
  }
  if (spec.query) {
    const url = request.url;
    const q = url.indexOf('?');
    const query = queryObject(q < 0 ? '' : url.slice(q + 1));
    if (query === AMBIGUOUS) return AMBIGUOUS;
    value.query = query;
  }
  if (spec.headers.length > 0) {
    const headers = headerObject(spec.headers, request);
    if (headers === AMBIGUOUS) return AMBIGUOUS;
    value.headers = headers;
  }
  const json = JSON.stringify(value);
  return { value, json: json.slice(1, -1) };
}
