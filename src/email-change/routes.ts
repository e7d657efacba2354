// PATCH /users/:id/email and POST /email-verifications/confirm (oneself: POST /me/email, src/me/self-service.routes.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { authenticate } from '../auth/authenticate.ts';
import { authRateLimit } from '../auth/rate-limit.ts';
import { userToUpdate } from '../auth/user-target.ts';
import { EmailSchema, SecretTokenSchema } from '../auth/schemas.ts';
import { confirmEmailChange } from './confirm.ts';
import { requestEmailChange } from './request.ts';
import { serviceContext } from '../context/service-context.ts';

export const emailChangeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.patch(
    '/users/:id/email',
    {
      preHandler: authenticate,
      schema: {
        tags: ['users'],
        summary: 'Change a user’s email: a verification link goes to the new address; applies when followed',
        description: 'Not on oneself (403 SELF_MODIFICATION: use POST /me/email with the current password) nor on a user whose role grants more than the caller’s (403 PRIVILEGE_ESCALATION).',
        security: [{ bearer: [] }],
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: Type.Object({ email: EmailSchema }, { additionalProperties: false }),
        response: {
          202: Type.Object({ id: Type.String(), email: Type.String(), pendingEmail: Type.String(), expiresAt: Type.String() }),
        },
      },
    },
    async (request, reply) => reply.code(202).send(await requestEmailChange(serviceContext(request), await userToUpdate(serviceContext(request), request.params.id), request.body.email)),
  );

  app.post(
    '/email-verifications/confirm',
    {
      config: authRateLimit(app),
      schema: {
        tags: ['users'],
        summary: 'Complete an email change with the link’s token',
        body: Type.Object({ token: SecretTokenSchema }, { additionalProperties: false }),
        response: { 200: Type.Object({ id: Type.String(), email: Type.String() }) },
      },
    },
    async (request) => confirmEmailChange(app.deps, request.em, request.body.token, request.id),
  );
};
