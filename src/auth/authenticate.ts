// The control plane's bearer-token check: a valid signature is not enough,
// the session must be live and the user ACTIVE right now (revocation does not
// wait for expiry).
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../context/request-context.ts';
import { ApiError, unauthenticated } from '../../core/http/errors.ts';
import { contextInput, principalInput } from '../../core/principal/build.ts';
import { loadRoleRecord, loadSessionRecord, loadUserRecord } from '../../core/principal/load.ts';
import { emRows } from '../db/rows.ts';
import type { AccessClaims } from './claims.ts';
import { findPermittedContext, homeContext } from './contexts.ts';

export function bearerToken(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  if (typeof h !== 'string') return null;
  // The scheme is case-insensitive (RFC 7235 §2.1), as the gateways read it.
  const m = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i.exec(h);
  return m?.[1] ?? null;
}

export async function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const token = bearerToken(request);
  if (!token) throw unauthenticated();
  let claims: AccessClaims;
  try {
    claims = request.server.deps.signer.verifyAccess(token);
  } catch {
    throw unauthenticated('invalid or expired token');
  }
  request.actor = await resolveActor(request.em, claims);
}

/**
 * The actor a verified access token names, as it is now: 401 when its session
 * has ended or its user is gone, 403 when the user is not ACTIVE or the
 * token's context is no longer reachable.
 */
export async function resolveActor(em: EntityManager, claims: AccessClaims): Promise<Actor> {
  const [user, session] = await Promise.all([loadUserRecord(emRows(em), claims.sub), loadSessionRecord(emRows(em), claims.sid)]);
  if (!user || !session || user.tenantId !== claims.tid || session.userId !== user.id) throw unauthenticated('invalid session');
  if (!session.active || session.expiresAt <= Date.now()) throw unauthenticated('session ended');
  if (user.status !== 'ACTIVE') throw new ApiError(403, 'USER_DISABLED', 'user is not active');
  const context = contextInput(claims.ctx_type, claims.ctx_id);
  // A switched context must still be reachable: merchant access may have
  // shrunk since the switch. The home context always is.
  const home = homeContext(user);
  const [role, permitted] = await Promise.all([
    loadRoleRecord(emRows(em), user.roleId),
    home.type === context.type && home.id === context.id ? true : findPermittedContext(em, user, context),
  ]);
  if (!permitted) throw new ApiError(403, 'CONTEXT_FORBIDDEN', 'the current context is no longer permitted; switch context');
  return { claims, user, role, session, context, principal: principalInput(user, role, session) };
}
