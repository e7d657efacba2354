// What a pipeline step returns instead of its value when the request stops
// there: a status, a documented code and a message (docs/http.md#errors).
// Refusals that never vary are made once, so refusing costs no allocation.
import type { FastifyReply } from 'fastify';
import { errorBody } from '../../core/http/error-handler.ts';

export class Refusal {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
    readonly extra?: Record<string, unknown>,
  ) {}
}

/** Answers the request with the refusal, in the error shape. */
export function refuse(reply: FastifyReply, r: Refusal): FastifyReply {
  // RFC 6750 §3: a bearer-protected resource names its scheme when it refuses the credential.
  if (r.status === 401) void reply.header('www-authenticate', 'Bearer');
  return reply.code(r.status).send(errorBody(r.status, r.code, r.message, r.extra));
}
