// Refresh-token rotation (docs/http.md#tokens; OAuth 2.0 Security BCP 4.14). The
// presented token is marked rotated by one conditional UPDATE; only the
// request that flips it gets a new pair. A token presented after rotation is
// a reuse: a thief or the victim holds a copy, so the whole session ends.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ControlPlaneDeps } from '../context/deps.ts';
import { recordAudit } from '../audit/record.ts';
import { ApiError, unauthenticated } from '../../core/http/errors.ts';
import { User } from '../users/user.entity.ts';
import { findPermittedContext } from './contexts.ts';
import { hashSecret } from './secret-token.ts';
import { Session } from './session.entity.ts';
import { announceRevoked, revokeSessions, tokensFor, type TokenPair } from './sessions.ts';

type Outcome = { kind: 'ok'; tokens: TokenPair } | { kind: 'reused' | 'refused'; revoked: string[] };

async function exec<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  return em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());
}

export async function refreshTokens(deps: ControlPlaneDeps, em: EntityManager, refreshToken: string, requestId: string): Promise<TokenPair> {
  const hash = hashSecret(refreshToken);
  const now = deps.now();
  const outcome = await em.transactional(async (tx): Promise<Outcome> => {
    const rotated = await exec<{ session_id: string }>(
      tx,
      'update refresh_tokens set rotated_at = ? where token_hash = ? and rotated_at is null returning session_id',
      [now, hash],
    );
    const sessionId = rotated[0]?.session_id;
    if (!sessionId) {
      const known = await exec<{ session_id: string }>(tx, 'select session_id from refresh_tokens where token_hash = ?', [hash]);
      const reusedIn = known[0]?.session_id;
      if (!reusedIn) return { kind: 'refused', revoked: [] };
      const session = await tx.findOne(Session, reusedIn);
      const revoked = await revokeSessions(tx, { sessionId: reusedIn }, 'refresh_reused', now);
      if (session && revoked.length > 0) {
        const actor = { tenantId: session.tenantId, actorId: null, contextType: session.contextType, contextId: session.contextId, requestId };
        recordAudit(tx, actor, { action: 'auth.refresh_reused', targetType: 'user', targetId: session.userId, after: { sessionId: session.id } });
      }
      return { kind: 'reused', revoked };
    }
    const session = await tx.findOne(Session, sessionId);
    if (!session || session.revokedAt || session.expiresAt <= now) return { kind: 'refused', revoked: [] };
    const user = await tx.findOne(User, session.userId);
    if (!user || user.status !== 'ACTIVE') return { kind: 'refused', revoked: [] };
    // Merchant access may have shrunk since the switch: a context the user
    // can no longer enter ends the session rather than renewing it.
    if (!(await findPermittedContext(tx, user, { type: session.contextType, id: session.contextId }))) {
      return { kind: 'refused', revoked: await revokeSessions(tx, { sessionId: session.id }, 'context_lost', now) };
    }
    return { kind: 'ok', tokens: tokensFor(deps, tx, session) };
  });
  if (outcome.kind === 'ok') return outcome.tokens;
  void announceRevoked(deps, outcome.revoked);
  if (outcome.kind === 'reused') throw new ApiError(401, 'REFRESH_REUSED', 'refresh token reused; the session has been ended');
  throw unauthenticated('invalid or expired refresh token');
}
