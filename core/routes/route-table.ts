// The gateway's route table (docs/http.md#route-table): which path prefixes go to which
// upstream, under which module, and where the merchant, product and gateway
// reference are found. Validated at boot; any fault names the route.
import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import YAML from 'yaml';

const Locator = Type.Object(
  {
    from: Type.Union([Type.Literal('header'), Type.Literal('path'), Type.Literal('query')]),
    name: Type.String({ minLength: 1, maxLength: 100 }),
  },
  { additionalProperties: false },
);

const Method = Type.Union(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((m) => Type.Literal(m)));

const RouteSpec = Type.Object(
  {
    prefix: Type.String({ pattern: '^/[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*$' }),
    upstream: Type.String({ pattern: '^https?://[^/]+/?$' }),
    module: Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$' }),
    read: Type.Optional(Type.Array(Method, { minItems: 1 })),
    write: Type.Optional(Type.Array(Method, { minItems: 1 })),
    merchant: Type.Optional(Locator),
    product: Type.Optional(Locator),
    gatewayRef: Type.Optional(Locator),
    approval: Type.Optional(Type.Object({ methods: Type.Array(Method, { minItems: 1 }) }, { additionalProperties: false })),
    /** Routing headers the gateway strips that this route's upstream needs (proxy.ts `routingHeaders`). */
    forwardHeaders: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 20 })),
    /** What of the request line the policy sees (docs/http.md#policy-input): method, path, query, "header:<name>". */
    policyInput: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 110 }), { minItems: 1, maxItems: 20 })),
  },
  { additionalProperties: false },
);

const RouteFile = Type.Object({ routes: Type.Array(RouteSpec, { minItems: 1 }) }, { additionalProperties: false });

export type Locator = Static<typeof Locator>;
export type RouteSpec = Static<typeof RouteSpec>;

export interface GatewayRoute extends RouteSpec {
  /** Prefix split into segments, for matching on whole segments. */
  segments: string[];
  readMethods: Set<string>;
  /** Methods that are writes: `write` when given, else every method that is not a read. */
  writeMethods: Set<string>;
  approvalMethods: Set<string>;
  /** Which of product and gateway reference the route locates ("pg", "p-", "-g", "--"): a decision input, so part of the memo key. */
  locates: string;
  /** Stripped routing headers this route forwards anyway (lower case). */
  forwardedRoutingHeaders: ReadonlySet<string>;
  /** The request facts the route adds to the policy input, prepared once; null (nothing added, no work) without `policyInput`. */
  requestFacts: RequestFactSpec | null;
}

/** A route's `policyInput`, parsed: which facts of the request the policy input carries. */
export interface RequestFactSpec {
  method: boolean;
  path: boolean;
  query: boolean;
  /** Header names (lower case), in the order the route lists them. */
  headers: readonly string[];
}

/**
 * Headers that tell an upstream to route, rewrite or re-method a request, or
 * who the client is, by names an upstream may honour: the gateway decided on
 * the request line it saw, so they are stripped unless a route forwards one.
 * Names are compared normalised (lower case, every character that is not a
 * letter or digit as `-`), as CGI-style servers fold `_` and `-` together.
 */
export const routingHeaders: ReadonlySet<string> = new Set([
  'x-original-url', 'x-rewrite-url', 'x-original-uri', 'x-override-url',
  'x-http-method-override', 'x-http-method', 'x-method-override',
  'forwarded', 'x-forwarded-port', 'x-forwarded-prefix', 'x-forwarded-server', 'x-forwarded-path', 'x-real-ip', 'x-client-ip',
]);

/** A header name as an upstream that folds `_`, `.` and case may read it. */
export function normalisedHeaderName(name: string): string {
  return /[^a-z0-9-]/.test(name) ? name.toLowerCase().replace(/[^a-z0-9]/g, '-') : name;
}

const allMethods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** The gateway's own endpoints; no route may shadow them. */
const reservedSegments = new Set(['healthz', 'readyz', 'metrics']);

/** Headers a locator may not read: the gateway owns them or they carry credentials. */
const forbiddenHeader = (name: string) => name.startsWith('x-auth-') || name === 'authorization' || name === 'host' || name === 'cookie';

/** Header names a policy may not see: credentials, and what the gateway sets itself. */
const hiddenHeader = (name: string) => forbiddenHeader(name) || name === 'proxy-authorization' || name === 'set-cookie';

/** An HTTP header name (RFC 9110 token). */
const headerToken = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/**
 * Parses a route's `policyInput` list; any item that is not one of the four
 * kinds is refused with its position, so a typo stops the gateway at boot
 * instead of silently sending the policy less than its rules expect.
 */
function requestFactSpec(items: readonly string[], where: string): RequestFactSpec {
  const spec = { method: false, path: false, query: false, headers: [] as string[] };
  const seen = new Set<string>();
  items.forEach((item, j) => {
    const at = `${where}/policyInput/${j}`;
    const key = item.startsWith('header:') ? `header:${item.slice(7).toLowerCase()}` : item;
    if (seen.has(key)) throw new RouteTableError(`${at} "${item}" is listed twice`);
    seen.add(key);
    if (item === 'method' || item === 'path' || item === 'query') {
      spec[item] = true;
      return;
    }
    if (!key.startsWith('header:')) {
      throw new RouteTableError(`${at} "${item}" is not a policy input: use method, path, query or header:<name>`);
    }
    const name = key.slice(7);
    if (!headerToken.test(name)) throw new RouteTableError(`${at} "${item}" does not name a header`);
    if (hiddenHeader(name)) throw new RouteTableError(`${at} the policy may not see the ${name} header (credentials and x-auth-* never reach it)`);
    // The upstream never sees the client's value of these: the gateway strips them or sets its own
    // (x-forwarded-for is the socket's address), so a rule on them would judge a claim nobody acts on.
    if (routingHeaders.has(normalisedHeaderName(name)) || /^x-forwarded-(for|host|proto)$/.test(name)) {
      throw new RouteTableError(`${at} the ${name} header is stripped or replaced by the gateway: the policy would see the client's claim, not what the upstream receives`);
    }
    spec.headers.push(name);
  });
  return spec;
}

export class RouteTableError extends Error {
  override name = 'RouteTableError';
}

export function parseRouteTable(text: string, source = 'route table'): GatewayRoute[] {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (err) {
    throw new RouteTableError(`${source}: not YAML or JSON: ${(err as Error).message}`);
  }
  if (!Value.Check(RouteFile, raw)) {
    const first = Value.Errors(RouteFile, raw).First();
    throw new RouteTableError(`${source}: ${first?.path || '/'} ${first?.message ?? 'is invalid'}`);
  }
  const seen = new Set<string>();
  const routes = raw.routes.map((r, i) => {
    if (seen.has(r.prefix)) throw new RouteTableError(`${source}: /routes/${i}/prefix ${r.prefix} is listed twice`);
    seen.add(r.prefix);
    const segments = r.prefix.split('/').filter(Boolean);
    if (reservedSegments.has(segments[0] ?? '')) {
      throw new RouteTableError(`${source}: /routes/${i}/prefix ${r.prefix} shadows the gateway's own /${segments[0]}`);
    }
    const readMethods = new Set(r.read ?? ['GET', 'HEAD']);
    const writeMethods = new Set(r.write ?? allMethods.filter((m) => !readMethods.has(m)));
    for (const m of writeMethods) {
      if (readMethods.has(m)) throw new RouteTableError(`${source}: /routes/${i} lists ${m} as both read and write`);
    }
    for (const m of r.approval?.methods ?? []) {
      if (!writeMethods.has(m)) throw new RouteTableError(`${source}: /routes/${i}/approval ${m} is not a write method of the route`);
    }
    for (const key of ['merchant', 'product', 'gatewayRef'] as const) {
      const loc = r[key];
      if (loc?.from === 'header') {
        loc.name = loc.name.toLowerCase();
        if (forbiddenHeader(loc.name)) {
          throw new RouteTableError(`${source}: /routes/${i}/${key} may not read the ${loc.name} header`);
        }
      }
      // A path locator names the zero-based segment after the prefix: "0" in
      // /orders/<merchant>/... reads the first segment after /orders.
      if (loc?.from === 'path' && !/^\d{1,2}$/.test(loc.name)) {
        throw new RouteTableError(`${source}: /routes/${i}/${key} from path needs a segment index, got "${loc.name}"`);
      }
    }
    const forwardedRoutingHeaders = new Set<string>();
    for (const name of r.forwardHeaders ?? []) {
      const n = normalisedHeaderName(name.toLowerCase());
      if (!routingHeaders.has(n)) {
        throw new RouteTableError(`${source}: /routes/${i}/forwardHeaders ${name} is not a stripped routing header (x-auth-*, x-forwarded-for/-host/-proto and credentials are never client-controlled)`);
      }
      forwardedRoutingHeaders.add(n);
    }
    const locates = `${r.product ? 'p' : '-'}${r.gatewayRef ? 'g' : '-'}`;
    const requestFacts = r.policyInput === undefined ? null : requestFactSpec(r.policyInput, `${source}: /routes/${i}`);
    return {
      ...r, segments, readMethods, writeMethods, approvalMethods: new Set(r.approval?.methods ?? []), locates, forwardedRoutingHeaders, requestFacts,
    };
  });
  // Longest prefix first, so /orders/refunds wins over /orders.
  return routes.sort((a, b) => b.segments.length - a.segments.length);
}

export function loadRouteTable(file: string): GatewayRoute[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RouteTableError(`GATEWAY_ROUTES: cannot read ${file}: ${(err as Error).message}`);
  }
  return parseRouteTable(text, file);
}

/** Modules the route table names, for the module catalogue. */
export function routeModules(routes: GatewayRoute[]): string[] {
  return [...new Set(routes.map((r) => r.module))].sort();
}
