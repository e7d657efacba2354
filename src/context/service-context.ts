// What a control-plane service needs to act for a caller, without HTTP:
// route files parse and reply, services (and the approvals executor, which
// acts for a maker long after its request ended) do the domain work on this.
// docs/architecture.md#control-plane says how routes, services and queries divide the work.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { ControlPlaneDeps } from './deps.ts';
import type { Actor } from './request-context.ts';

export interface ServiceContext {
  /** The entity manager to work in: the request's, or a transaction's (see `inTransaction`). */
  em: EntityManager;
  /** Who acts: the caller, or a maker whose approved request is executed (approvals/as-maker.ts). */
  actor: Actor;
  deps: ControlPlaneDeps;
  /** The clock services read (deps.now unless a test or the executor pins it). */
  now: () => Date;
  /** Ids the audit trail keeps: the server's request id and the client's X-Request-Id. */
  trail: { requestId: string; clientRequestId: string | null };
  log: FastifyBaseLogger;
}

const built = new WeakMap<FastifyRequest, ServiceContext>();

/**
 * The service context of an authenticated request, built once per request
 * (the `authenticate` hook has set its actor). Route handlers pass it on.
 */
export function serviceContext(request: FastifyRequest): ServiceContext {
  let ctx = built.get(request);
  if (ctx === undefined) {
    const { deps } = request.server;
    ctx = {
      em: request.em,
      actor: request.actor,
      deps,
      // Read at each call: a test may move the clock between two steps of one request.
      now: () => deps.now(),
      trail: { requestId: request.id, clientRequestId: request.clientRequestId },
      log: request.log,
    };
    built.set(request, ctx);
  }
  return ctx;
}

/** The same caller working in `em` (a transaction's entity manager). */
export function inTransaction(ctx: ServiceContext, em: EntityManager): ServiceContext {
  return { ...ctx, em };
}
