// GET /auth/contexts and POST /auth/switch (docs/domain.md#contexts).
//
// A switch opens a NEW session in the target context (new sid, new refresh
// token) and leaves the current one alone: a client may keep working in two
// contexts at once, and logout ends only the session whose token it shows.
// The new session ends when the one it came from would have, so switching
// never extends a login.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { recordAudit } from '../audit/record.ts';
import { ApiError, badRequest } from '../../core/http/errors.ts';
import { User } from '../users/user.entity.ts';
import { authenticate } from './authenticate.ts';
import { auditActor } from './authorize.ts';
import { findPermittedContext, listContexts, type ContextRef } from './contexts.ts';
import { ContextTypeSchema, TokenPairSchema } from './schemas.ts';
import { openSession } from './sessions.ts';
import { serviceContext } from '../app/service-context.ts';

const ContextItemSchema = Type.Object({ type: ContextTypeSchema, id: Type.String(), name: Type.String() });

function encodeCursor(ref: ContextRef): string {
  return Buffer.from(JSON.stringify([ref.type, ref.id])).toString('base64url');
}

function decodeCursor(cursor: string): ContextRef {
  try {
    const [type, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if ((type === 'TENANT' || type === 'RESELLER' || type === 'MERCHANT') && typeof id === 'string') return { type, id };
  } catch {
    // fall through
  }
  throw badRequest('invalid cursor');
}

export const contextRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/auth/contexts',
    {
      preHandler: authenticate,
      schema: {
        tags: ['auth'],
        summary: 'Contexts the caller may switch to (its own tenant, resellers and merchants it can access)',
        security: [{ bearer: [] }],
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ maxLength: 100 })),
            cursor: Type.Optional(Type.String({ maxLength: 400 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(ContextItemSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (request) => {
      const user = await request.em.findOneOrFail(User, request.actor.user.id);
      const { q, cursor, limit = 50 } = request.query;
      const page = await listContexts(request.em, user, { ...(q ? { q } : {}), ...(cursor ? { after: decodeCursor(cursor) } : {}), limit });
      return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
    },
  );

  app.post(
    '/auth/switch',
    {
      preHandler: authenticate,
      schema: {
        tags: ['auth'],
        summary: 'New tokens in another permitted context (403 CONTEXT_FORBIDDEN otherwise)',
        security: [{ bearer: [] }],
        body: Type.Object({ type: ContextTypeSchema, id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: { 200: TokenPairSchema },
      },
    },
    async (request) => {
      const user = await request.em.findOneOrFail(User, request.actor.user.id);
      const target = await findPermittedContext(request.em, user, request.body);
      if (!target) throw new ApiError(403, 'CONTEXT_FORBIDDEN', 'you may not enter that context');
      const from = request.actor.session;
      return request.em.transactional(async (tx) => {
        const { session, tokens } = openSession(app.deps, tx, user, { type: target.type, id: target.id });
        session.expiresAt = new Date(Math.min(session.expiresAt.getTime(), from.expiresAt));
        recordAudit(tx, auditActor(serviceContext(request)), {
          action: 'auth.context_switch',
          targetType: 'user',
          targetId: user.id,
          before: { contextType: request.actor.context.type, contextId: request.actor.context.id, sessionId: from.id },
          after: { contextType: target.type, contextId: target.id, sessionId: session.id },
        });
        return tokens;
      });
    },
  );
};
