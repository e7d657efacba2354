// The typed API client: paths and bodies come from schema.d.ts, generated from
// the control plane's OpenAPI document (console/scripts/gen-api-types.ts).
import createClient from 'openapi-fetch';
import type { paths } from './schema';
import { ApiProblem } from './problem';
import { currentAccessToken, refreshSession } from '../session/session';

function withToken(request: Request): Request {
  const token = currentAccessToken();
  const headers = new Headers(request.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return new Request(request, { headers });
}

/** Adds the in-memory access token; on a 401 refreshes once and retries. */
async function authFetch(request: Request): Promise<Response> {
  const retry = request.clone();
  const response = await fetch(withToken(request));
  if (response.status !== 401 || !currentAccessToken()) return response;
  if (!(await refreshSession())) return response;
  return fetch(withToken(retry));
}

export const api = createClient<paths>({ baseUrl: '', fetch: authFetch, credentials: 'same-origin' });

/** The data of an answer, or an ApiProblem carrying the refusal's code. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<NonNullable<T>> {
  const { data, error, response } = await call;
  if (!response.ok) {
    const body = (error && typeof error === 'object' ? error : {}) as Record<string, unknown>;
    throw new ApiProblem(response.status, typeof body.code === 'string' ? body.code : `HTTP_${response.status}`, body);
  }
  return data as NonNullable<T>;
}

/** For answers the OpenAPI document leaves untyped (see types.ts): the caller names the type. */
export async function unwrapAs<T>(call: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<T> {
  return (await unwrap(call)) as T;
}

