// POST /auth/refresh, /auth/logout, /auth/password, /auth/password/renew.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { recordAudit } from '../audit/record.ts';
import { NoBody } from '../http/schemas.ts';
import { authenticate } from './authenticate.ts';
import { auditActor } from './authorize.ts';
import { changeOwnPassword, renewExpiredPassword } from './password-change.ts';
import { authRateLimit } from './rate-limit.ts';
import { refreshTokens } from './refresh.ts';
import { PasswordSchema, SecretTokenSchema, TokenPairSchema } from './schemas.ts';
import { announceRevoked, revokeSessions } from './sessions.ts';

export const sessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const config = authRateLimit(app);

  app.post(
    '/auth/refresh',
    {
      config,
      schema: {
        tags: ['auth'],
        summary: 'Rotate the refresh token; a reused one ends the session (401 REFRESH_REUSED)',
        body: Type.Object({ refreshToken: SecretTokenSchema }, { additionalProperties: false }),
        response: { 200: TokenPairSchema },
      },
    },
    async (request) => refreshTokens(app.deps, request.em, request.body.refreshToken, request.id),
  );

  app.post(
    '/auth/logout',
    { preHandler: authenticate, schema: { tags: ['auth'], summary: 'End this session', security: [{ bearer: [] }], body: NoBody } },
    async (request, reply) => {
      const sessionId = request.actor.session.id;
      const revoked = await request.em.transactional(async (tx) => {
        recordAudit(tx, auditActor(request), { action: 'auth.logout', targetType: 'user', targetId: request.actor.user.id, after: { sessionId } });
        return revokeSessions(tx, { sessionId }, 'logout', app.deps.now());
      });
      await announceRevoked(app.deps, revoked);
      return reply.code(204).send();
    },
  );

  app.post(
    '/auth/password',
    {
      preHandler: authenticate,
      schema: {
        tags: ['auth'],
        summary: "Change one's own password; every other session ends",
        security: [{ bearer: [] }],
        body: Type.Object({ currentPassword: PasswordSchema, newPassword: PasswordSchema }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      await changeOwnPassword(request, request.body);
      return reply.code(204).send();
    },
  );

  app.post(
    '/auth/password/renew',
    {
      config,
      schema: {
        tags: ['auth'],
        summary: 'Replace an expired password with the passwordChangeToken of the 403 PASSWORD_EXPIRED answer',
        body: Type.Object({ passwordChangeToken: SecretTokenSchema, newPassword: PasswordSchema }, { additionalProperties: false }),
        response: { 200: TokenPairSchema },
      },
    },
    async (request) => renewExpiredPassword(app.deps, request.em, request.body, request.id),
  );
};
