// GET /invitations/lookup?token= and POST /invitations/accept {token, password}.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { authRateLimit } from '../auth/rate-limit.ts';
import { PasswordSchema, SecretTokenSchema } from '../auth/schemas.ts';
import { acceptInvitation, lookupInvitation } from './accept.ts';

export const invitationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const config = authRateLimit(app);

  app.get(
    '/invitations/lookup',
    {
      config,
      schema: {
        tags: ['invitations'],
        summary: 'What a setup link is for: email, expiry, password policy, whether 2FA is required',
        querystring: Type.Object({ token: SecretTokenSchema }, { additionalProperties: false }),
      },
    },
    async (request) => lookupInvitation(app.deps, request.em, request.query.token),
  );

  app.post(
    '/invitations/accept',
    {
      config,
      schema: {
        tags: ['invitations'],
        summary: 'Set the password; returns {status, mfaToken?} (enrolment continues at /auth/mfa/*)',
        body: Type.Object({ token: SecretTokenSchema, password: PasswordSchema }, { additionalProperties: false }),
        response: {
          200: Type.Object({ status: Type.String(), mfaToken: Type.Optional(Type.String()) }),
        },
      },
    },
    async (request) => acceptInvitation(app.deps, request.em, request.body, request.id),
  );
};
