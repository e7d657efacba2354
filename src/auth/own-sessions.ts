// What a signed-in user does with its own sessions: list and switch contexts
// (docs/domain.md#contexts), log out, sign out everywhere. A switch opens a
// NEW session in the target context (new sid, new refresh token) and leaves
// the current one alone: a client may keep working in two contexts at once,
// and logout ends only the session whose token it shows. The new session ends
// when the one it came from would have, so switching never extends a login.
import type { ServiceContext } from '../context/service-context.ts';
import { recordAudit } from '../audit/record.ts';
import { ApiError } from '../../core/http/errors.ts';
import { User } from '../users/user.entity.ts';
import { auditActor } from './authorize.ts';
import { findPermittedContext, listContexts, type ContextItem, type ContextRef } from './contexts.ts';
import { confirmCurrentPassword } from './current-password.ts';
import { announceRevoked, openSession, revokeSessions, type TokenPair } from './sessions.ts';

/** One page of the contexts the actor may switch to. */
export async function contextPage(
  ctx: ServiceContext,
  opts: { q?: string; after?: ContextRef; limit: number },
): Promise<{ items: ContextItem[]; next: ContextRef | null }> {
  const user = await ctx.em.findOneOrFail(User, ctx.actor.user.id);
  return listContexts(ctx.em, user, opts);
}

/** Tokens of a new session in `wanted`, if the actor may enter it (403 CONTEXT_FORBIDDEN otherwise). */
export async function switchContext(ctx: ServiceContext, wanted: ContextRef): Promise<TokenPair> {
  const user = await ctx.em.findOneOrFail(User, ctx.actor.user.id);
  const target = await findPermittedContext(ctx.em, user, wanted);
  if (!target) throw new ApiError(403, 'CONTEXT_FORBIDDEN', 'you may not enter that context');
  const from = ctx.actor.session;
  return ctx.em.transactional(async (tx) => {
    const { session, tokens } = openSession(ctx.deps, tx, user, { type: target.type, id: target.id });
    session.expiresAt = new Date(Math.min(session.expiresAt.getTime(), from.expiresAt));
    recordAudit(tx, auditActor(ctx), {
      action: 'auth.context_switch',
      targetType: 'user',
      targetId: user.id,
      before: { contextType: ctx.actor.context.type, contextId: ctx.actor.context.id, sessionId: from.id },
      after: { contextType: target.type, contextId: target.id, sessionId: session.id },
    });
    return tokens;
  });
}

/** Ends the session the actor's token belongs to. */
export async function logout(ctx: ServiceContext): Promise<void> {
  const sessionId = ctx.actor.session.id;
  const revoked = await ctx.em.transactional(async (tx) => {
    recordAudit(tx, auditActor(ctx), { action: 'auth.logout', targetType: 'user', targetId: ctx.actor.user.id, after: { sessionId } });
    return revokeSessions(tx, { sessionId }, 'logout', ctx.now());
  });
  void announceRevoked(ctx.deps, revoked);
}

/** Every session of the actor ends, this one too, once the current password is confirmed. */
export async function signOutEverywhere(ctx: ServiceContext, currentPassword: string): Promise<{ id: string; revokedSessions: number }> {
  const { user } = await confirmCurrentPassword(ctx, currentPassword);
  const revoked = await ctx.em.transactional(async (tx) => {
    const ids = await revokeSessions(tx, { userId: user.id }, 'revoked_by_self', ctx.now());
    recordAudit(tx, auditActor(ctx), { action: 'user.sessions_revoked', targetType: 'user', targetId: user.id, after: { sessions: ids.length, self: true } });
    return ids;
  });
  void announceRevoked(ctx.deps, revoked);
  return { id: user.id, revokedSessions: revoked.length };
}
