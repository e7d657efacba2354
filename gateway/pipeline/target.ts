// Step 1, target: which route the request goes to and whether it reads or
// writes there, on the canonical path (request-target.ts). 400 for a path
// that could mean something else upstream, 404 for no route, 405 for a
// method the route does not list.
import type { FastifyRequest } from 'fastify';
import type { GatewayRoute } from '../../core/routes/route-table.ts';
import { Refusal } from './refusal.ts';
import { canonicalPath, type RouteMatcher } from './request-target.ts';

export interface Target {
  /** Canonical path, forwarded as is (the query string is forwarded untouched). */
  path: string;
  route: GatewayRoute;
  action: 'read' | 'write';
}

const unsafePath = new Refusal(400, 'VALIDATION_FAILED', 'the request path has dot segments or encoded separators');

export function findTarget(matcher: RouteMatcher, request: FastifyRequest): Target | Refusal {
  const url = request.url;
  const q = url.indexOf('?');
  const path = canonicalPath(q < 0 ? url : url.slice(0, q));
  if (path === null) return unsafePath;
  const route = matcher.match(path);
  if (route === null) return new Refusal(404, 'NOT_FOUND', `no route for ${path}`);
  // For metrics, also when the method is refused.
  request.gatewayRoute = route;
  const method = request.method;
  const action = route.readMethods.has(method) ? 'read' : route.writeMethods.has(method) ? 'write' : null;
  if (action === null) return new Refusal(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${route.prefix}`);
  return { path, route, action };
}
