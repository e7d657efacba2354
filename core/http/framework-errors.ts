// Requests Fastify's router refuses before any hook or handler runs (a path
// that is not valid percent-encoding, a path parameter longer than
// maxParamLength) answer in the error shape with a documented code, like
// every other refusal, instead of Fastify's own `FST_ERR_*` body that echoes
// the URL back. Both services (docs/http.md#errors; OWASP ASVS 4.0.3 V7.4.1).
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './error-handler.ts';

export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  // A parameter too long to be any id names nothing (like any unknown id).
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply.code(404).send(errorBody(404, 'NOT_FOUND', 'no such resource'));
    return;
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    void reply.code(400).send(errorBody(400, 'VALIDATION_FAILED', 'the request path is not valid percent-encoded UTF-8'));
    return;
  }
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  void reply.code(status).send(errorBody(status, 'VALIDATION_FAILED', 'the request could not be read'));
}
