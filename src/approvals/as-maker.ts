// A held control-plane action runs with the maker's authority as it is at
// execution, not as it was when the request was made (finding 10): the same
// service the route calls (authorize, scope lookups, assignable roles,
// escalation checks, the mutation and its audit event) runs with a service
// context whose actor is the maker, rebuilt from the maker's current records. A maker whose context is no
// longer reachable, or who no longer reaches the target, or whose level no
// longer covers the action, makes the approval FAILED with
// MAKER_NOT_PERMITTED and the reason the route code gave.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../context/request-context.ts';
import type { ServiceContext } from '../context/service-context.ts';
import { findPermittedContext, homeContext } from '../auth/contexts.ts';
import { ApiError } from '../../core/http/errors.ts';
import type { Approval } from './approval.entity.ts';
import type { Maker } from './maker.ts';

export function makerNotPermitted(reasons: string[], message = 'the maker may no longer do this'): ApiError {
  return new ApiError(403, 'MAKER_NOT_PERMITTED', message, { reasons });
}

/**
 * The checker's context with the maker as its actor and `em` the execution's
 * transaction; the audit trail keeps the checker's request ids.
 */
export async function asMaker(checker: ServiceContext, em: EntityManager, approval: Approval, maker: Maker): Promise<ServiceContext> {
  const { user, context } = maker;
  const home = homeContext(user);
  const reachable = (home.type === context.type && home.id === context.id) || (await findPermittedContext(em, user, context)) !== null;
  if (!reachable) throw makerNotPermitted(['CONTEXT_FORBIDDEN'], 'the maker may no longer act in the context it made the request in');
  const now = Math.floor(checker.now().getTime() / 1000);
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
  return { ...checker, actor, em };
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
