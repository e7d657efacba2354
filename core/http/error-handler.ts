// One place maps every failure to {statusCode, error, code, message}.
// 5xx bodies say nothing internal; the log has the detail. A service adds
// the failures only it can meet (the control plane its ORM's: src/http/orm-errors.ts)
// and may answer requests no route matched (the control plane's console).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { ApiError } from './errors.ts';

export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  [extra: string]: unknown;
}

export function errorBody(statusCode: number, code: string, message: string, details?: Record<string, unknown>): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', code, message, ...details };
}

/** A service's own mapping of the failures it knows; null leaves the error to the shared rules. */
export type ErrorClassifier = (err: unknown) => ErrorBody | null;

function classify(err: unknown, own: ErrorClassifier | undefined): ErrorBody {
  if (err instanceof ApiError) return errorBody(err.statusCode, err.code, err.message, err.details);
  const fe = err as FastifyError & { validation?: unknown };
  if (fe.validation) return errorBody(400, 'VALIDATION_FAILED', fe.message);
  const known = own?.(err);
  if (known) return known;
  if (isConnectionFailure(err)) return errorBody(503, 'UNAVAILABLE', 'a backing service is unavailable');
  const status = fe.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 429) return errorBody(429, 'RATE_LIMITED', 'too many requests');
    // Fastify's own 4xx (bad JSON, body too large, unsupported media type).
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : status === 404 ? 'NOT_FOUND' : 'VALIDATION_FAILED';
    return errorBody(status, code, fe.message);
  }
  return errorBody(500, 'INTERNAL', 'internal error');
}

/** PostgreSQL (pg, knex) and Redis (ioredis, single or Cluster: no offline queue, command timeout) that cannot be reached or do not answer. */
const unavailable = new RegExp([
  'Connection terminated', 'Knex: Timeout acquiring a connection', 'Query read timeout', 'timeout exceeded when trying to connect',
  'is not queryable', "Stream isn't writeable", 'Command timed out', 'Connection is closed', 'max retries per request',
  // Redis Cluster (ioredis Cluster): not connected yet, a master lost and not yet replaced, slots moving.
  "Cluster isn't ready", 'CLUSTERDOWN', 'TRYAGAIN', 'Too many Cluster redirections', 'None of startup nodes is available',
  'Failed to refresh slots cache',
].join('|'));

export function isConnectionFailure(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ECONNREFUSED' || code === 'ETIMEDOUT' || code === '57P01' || code === 'ECONNRESET'
    || unavailable.test(String((err as Error).message));
}

/** Answers a request no route matched (the console's client routes); true when it did. */
export type NotFoundFallback = (request: FastifyRequest, reply: FastifyReply) => boolean;

export function installErrorHandler(app: FastifyInstance, own?: ErrorClassifier, notFoundFallback?: () => NotFoundFallback | null): void {
  app.setErrorHandler((err, request, reply) => {
    const body = classify(err, own);
    if (body.statusCode >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: body.code, statusCode: body.statusCode }, 'request refused');
    // RFC 6750 §3: a bearer-protected resource names its scheme when it refuses the credential.
    if (body.code === 'UNAUTHENTICATED') void reply.header('www-authenticate', 'Bearer');
    void reply.code(body.statusCode).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    if (notFoundFallback?.()?.(request, reply)) return;
    void reply.code(404).send(errorBody(404, 'NOT_FOUND', `route ${request.method} ${request.url.split('?')[0]} not found`));
  });
}
