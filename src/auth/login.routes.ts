// POST /auth/login, /auth/login/totp, /auth/mfa/setup, /auth/mfa/verify.
// These take no access token: the MFA token in the body is the credential
// (an access token there is refused by its `typ`).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { completeEnrolment, startEnrolment } from './enrolment.ts';
import { loginWithPassword, loginWithSecondFactor } from './login.ts';
import { authRateLimit } from './rate-limit.ts';
import { CodeSchema, PasswordSchema, SecretTokenSchema, TokenPairSchema } from './schemas.ts';

export const loginRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const config = authRateLimit(app);

  app.post(
    '/auth/login',
    {
      config,
      schema: {
        tags: ['auth'],
        summary: 'Log in with email and password',
        description: 'Answers a token pair, `{mfaRequired: true, mfaToken}` or `{mfaSetupRequired: true, mfaToken}`.',
        body: Type.Object({ email: Type.String({ minLength: 1, maxLength: 320 }), password: PasswordSchema }, { additionalProperties: false }),
      },
    },
    async (request) => loginWithPassword(app.deps, request.em, request.body, request.id),
  );

  app.post(
    '/auth/login/totp',
    {
      config,
      schema: {
        tags: ['auth'],
        summary: 'Second factor: a TOTP code or a recovery code',
        body: Type.Object({ mfaToken: SecretTokenSchema, code: CodeSchema }, { additionalProperties: false }),
        response: { 200: TokenPairSchema },
      },
    },
    async (request) => loginWithSecondFactor(app.deps, request.em, request.body, request.id),
  );

  app.post(
    '/auth/mfa/setup',
    {
      config,
      schema: {
        tags: ['auth'],
        summary: 'Start TOTP enrolment: a new secret and its otpauth:// URI',
        body: Type.Object({ mfaToken: SecretTokenSchema }, { additionalProperties: false }),
        response: { 200: Type.Object({ secret: Type.String(), otpauthUrl: Type.String() }) },
      },
    },
    async (request) => startEnrolment(app.deps, request.em, request.body.mfaToken),
  );

  app.post(
    '/auth/mfa/verify',
    {
      config,
      schema: {
        tags: ['auth'],
        summary: 'Finish TOTP enrolment with one code: tokens and ten recovery codes (shown once)',
        body: Type.Object({ mfaToken: SecretTokenSchema, code: CodeSchema }, { additionalProperties: false }),
        response: { 200: Type.Composite([TokenPairSchema, Type.Object({ recoveryCodes: Type.Array(Type.String()) })]) },
      },
    },
    async (request) => completeEnrolment(app.deps, request.em, request.body, request.id),
  );
};
