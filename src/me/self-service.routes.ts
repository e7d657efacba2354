// Self-service changes to one's own account (issue 17, finding 14): an access
// token alone — possibly a stolen one — is not enough to change one's email or
// end one's sessions; the current password is asked again (guarded by the
// login lockout). The administrative routes refuse oneself (SELF_MODIFICATION).
//   POST /me/email {newEmail, currentPassword}   → 202, as PATCH /users/:id/email
//   POST /me/revoke-sessions {currentPassword}   → every session ends, this one too
// (One's own password: POST /auth/password. One's own second factor is reset
// only by an administrator.)
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { serviceContext } from '../context/service-context.ts';
import { authenticate } from '../auth/authenticate.ts';
import { confirmCurrentPassword } from '../auth/current-password.ts';
import { authRateLimit } from '../auth/rate-limit.ts';
import { EmailSchema, PasswordSchema } from '../auth/schemas.ts';
import { signOutEverywhere } from '../auth/own-sessions.ts';
import { requestEmailChange } from '../email-change/request.ts';

export const selfServiceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const config = authRateLimit(app);

  app.post(
    '/me/email',
    {
      config,
      preHandler: authenticate,
      schema: {
        tags: ['auth'],
        summary: 'Change one’s own email: the current password, then a verification link to the new address',
        description: 'A wrong password answers 401 INVALID_CREDENTIALS and counts towards the login lockout (423 ACCOUNT_LOCKED).',
        security: [{ bearer: [] }],
        body: Type.Object({ newEmail: EmailSchema, currentPassword: PasswordSchema }, { additionalProperties: false }),
        response: {
          202: Type.Object({ id: Type.String(), email: Type.String(), pendingEmail: Type.String(), expiresAt: Type.String() }),
        },
      },
    },
    async (request, reply) => {
      const { user } = await confirmCurrentPassword(serviceContext(request), request.body.currentPassword);
      return reply.code(202).send(await requestEmailChange(serviceContext(request), user, request.body.newEmail));
    },
  );

  app.post(
    '/me/revoke-sessions',
    {
      config,
      preHandler: authenticate,
      schema: {
        tags: ['auth'],
        summary: 'Sign out everywhere: every session of the caller ends, this one too (current password required)',
        security: [{ bearer: [] }],
        body: Type.Object({ currentPassword: PasswordSchema }, { additionalProperties: false }),
        response: { 200: Type.Object({ id: Type.String(), revokedSessions: Type.Integer() }) },
      },
    },
    async (request) => {
      return signOutEverywhere(serviceContext(request), request.body.currentPassword);
    },
  );
};
