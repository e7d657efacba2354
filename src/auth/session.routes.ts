// POST /auth/refresh, /auth/logout, /auth/password, /auth/password/renew.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { serviceContext } from '../context/service-context.ts';
import { ApiError, unauthenticated } from '../../core/http/errors.ts';
import { NoBody } from '../http/schemas.ts';
import { authenticate } from './authenticate.ts';
import { changeOwnPassword, renewExpiredPassword } from './password-change.ts';
import { authRateLimit } from './rate-limit.ts';
import { refreshTokens } from './refresh.ts';
import { clearRefreshCookie, presentedRefreshToken } from './refresh-cookie.ts';
import { PasswordSchema, SecretTokenSchema, TokenPairSchema } from './schemas.ts';
import { logout } from './own-sessions.ts';

export const sessionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const config = authRateLimit(app);

  app.post(
    '/auth/refresh',
    {
      config,
      schema: {
        tags: ['auth'],
        summary: 'Rotate the refresh token; a reused one ends the session (401 REFRESH_REUSED)',
        description:
          'The token comes from the body, or else from the console\'s refresh cookie; a cookie-authenticated call needs ' +
          'an Origin of the console (403 ORIGIN_MISMATCH).',
        body: Type.Union([Type.Null(), Type.Object({ refreshToken: Type.Optional(SecretTokenSchema) }, { additionalProperties: false })]),
        response: { 200: TokenPairSchema },
      },
    },
    async (request, reply) => {
      const presented = presentedRefreshToken(request, request.body?.refreshToken, app.deps.config);
      if (!presented) throw unauthenticated('no refresh token');
      try {
        return await refreshTokens(app.deps, request.em, presented.token, request.id);
      } catch (err) {
        // A dead cookie would be sent again on every reload: drop it with the refusal.
        if (presented.fromCookie && err instanceof ApiError && err.statusCode === 401) clearRefreshCookie(reply, app.deps.config);
        throw err;
      }
    },
  );

  app.post(
    '/auth/logout',
    { preHandler: authenticate, schema: { tags: ['auth'], summary: 'End this session', security: [{ bearer: [] }], body: NoBody } },
    async (request, reply) => {
      await logout(serviceContext(request));
      clearRefreshCookie(reply, app.deps.config);
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
      await changeOwnPassword(serviceContext(request), request.body);
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
