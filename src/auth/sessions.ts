// Sessions and token pairs. A session is one login in one context; its refresh
// tokens rotate on use. Revocation is written to PostgreSQL and announced on
// the authorization channel so every gateway drops the session at once.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ControlPlaneDeps } from '../context/deps.ts';
import type { ContextType } from '../roles/role.entity.ts';
import { hashSecret, newSecret } from './secret-token.ts';
import { RefreshToken, Session } from './session.entity.ts';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  context: { type: ContextType; id: string };
}

export interface SessionSubject {
  id: string;
  tenantId: string;
}

/** Opens a session in `context` and returns its first token pair (flush is the caller's, in its transaction). */
export function openSession(
  deps: ControlPlaneDeps,
  em: EntityManager,
  user: SessionSubject,
  context: { type: ContextType; id: string },
): { session: Session; tokens: TokenPair } {
  const now = deps.now();
  const session = em.create(Session, {
    id: randomUUID(),
    userId: user.id,
    tenantId: user.tenantId,
    contextType: context.type,
    contextId: context.id,
    createdAt: now,
    expiresAt: new Date(now.getTime() + deps.config.REFRESH_TOKEN_TTL_SECONDS * 1000),
  });
  em.persist(session);
  return { session, tokens: tokensFor(deps, em, session) };
}

/** A new access token and a new refresh token for an existing session. */
export function tokensFor(deps: ControlPlaneDeps, em: EntityManager, session: Session): TokenPair {
  const refreshToken = newSecret();
  em.persist(em.create(RefreshToken, { tokenHash: hashSecret(refreshToken), sessionId: session.id, createdAt: deps.now() }));
  const accessToken = deps.signer.signAccess({
    userId: session.userId,
    tenantId: session.tenantId,
    sessionId: session.id,
    contextType: session.contextType,
    contextId: session.contextId,
  });
  return {
    accessToken,
    refreshToken,
    expiresIn: deps.config.ACCESS_TOKEN_TTL_SECONDS,
    context: { type: session.contextType, id: session.contextId },
  };
}

/**
 * Ends sessions in the caller's transaction and returns their ids; publish
 * them with `announceRevoked` after commit.
 */
export async function revokeSessions(
  em: EntityManager,
  where: { userId: string; exceptSessionId?: string } | { sessionId: string },
  reason: string,
  now: Date,
): Promise<string[]> {
  // Raw SQL must join the caller's transaction explicitly.
  const conn = em.getConnection();
  const rows =
    'sessionId' in where
      ? await conn.execute<{ id: string }[]>(
          'update sessions set revoked_at = ?, revoked_reason = ? where id = ? and revoked_at is null returning id',
          [now, reason, where.sessionId],
          'all',
          em.getTransactionContext(),
        )
      : await conn.execute<{ id: string }[]>(
          'update sessions set revoked_at = ?, revoked_reason = ? where user_id = ? and revoked_at is null and id <> ? returning id',
          [now, reason, where.userId, where.exceptSessionId ?? '00000000-0000-0000-0000-000000000000'],
          'all',
          em.getTransactionContext(),
        );
  return rows.map((r) => r.id);
}

/** After commit. Callers do not wait for it (`void`): the PostgreSQL feed already told every gateway (AuthzChangePublisher.publish). */
export function announceRevoked(deps: ControlPlaneDeps, sessionIds: string[]): Promise<void> {
  return deps.changes.publish(sessionIds.map((id) => ({ kind: 'session' as const, id })));
}
