// A held control-plane action runs with the maker's authority as it is at
// execution, not as it was when the request was made (finding 10): the same
// route code (authorize, scope lookups, assignable roles, escalation checks)
// runs against a view of the checker's request whose actor is the maker,
// rebuilt from the maker's current records. A maker whose context is no
// longer reachable, or who no longer reaches the target, or whose level no
// longer covers the action, makes the approval FAILED with
// MAKER_NOT_PERMITTED and the reason the route code gave.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../app/request-context.ts';
import { findPermittedContext, homeContext } from '../auth/contexts.ts';
import { ApiError } from '../../core/http/errors.ts';
import type { Approval } from './approval.entity.ts';
import type { Maker } from './maker.ts';

export function makerNotPermitted(reasons: string[], message = 'the maker may no longer do this'): ApiError {
  return new ApiError(403, 'MAKER_NOT_PERMITTED', message, { reasons });
}

/** The checker's request seen as the maker's, with `em` the execution's transaction. */
export async function asMaker(request: FastifyRequest, em: EntityManager, approval: Approval, maker: Maker): Promise<FastifyRequest> {
  const { user, context } = maker;
  const home = homeContext(user);
  const reachable = (home.type === context.type && home.id === context.id) || (await findPermittedContext(em, user, context)) !== null;
  if (!reachable) throw makerNotPermitted(['CONTEXT_FORBIDDEN'], 'the maker may no longer act in the context it made the request in');
  const now = Math.floor(request.server.deps.now().getTime() / 1000);
  const actor: Actor = {
    claims: {
      iss: 'approval',
      aud: 'approval',
      sub: user.id,
      tid: user.tenantId,
      ctx_type: context.type,
      ctx_id: context.id,
      sid: `approval:${approval.id}`,
      jti: approval.id,
      typ: 'access',
      iat: now,
      exp: now,
    },
    user,
    role: maker.role,
    session: { id: `approval:${approval.id}`, userId: user.id, active: true, expiresAt: Number.MAX_SAFE_INTEGER },
    context,
    principal: maker.principal,
  };
  const view = Object.create(request) as FastifyRequest;
  Object.defineProperties(view, { actor: { value: actor }, em: { value: em } });
  return view;
}

/**
 * Runs a check as the maker: a refusal (403) or a target the maker no longer
 * sees (404) becomes MAKER_NOT_PERMITTED naming the original code; anything
 * else (a conflict, a validation failure) is thrown as it is.
 */
export async function asMakerCheck<T>(check: () => Promise<T> | T): Promise<T> {
  try {
    return await check();
  } catch (err) {
    if (err instanceof ApiError && (err.statusCode === 403 || err.statusCode === 404) && err.code !== 'MAKER_NOT_PERMITTED') {
      throw makerNotPermitted([err.code], `the maker may no longer do this: ${err.message}`);
    }
    throw err;
  }
}
