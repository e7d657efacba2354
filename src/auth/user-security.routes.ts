// Administrative security actions on a user (docs/domain.md#user-lifecycle, docs/http.md#routes):
// POST /users/:id/unlock · /revoke-sessions · /reset-mfa · /resend-invitation.
// Each needs `users.update` in the caller's context and a target in scope that
// is not the caller and not above the caller (src/auth/user-target.ts); the
// work is in user-security.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NoBody } from '../http/schemas.ts';
import { serviceContext } from '../context/service-context.ts';
import { authenticate } from './authenticate.ts';
import { resendInvitation, resetUserMfa, revokeUserSessions, unlockUser } from './user-security.ts';

const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const userSecurityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const common = (summary: string) => ({
    preHandler: authenticate,
    schema: { tags: ['users'], summary, security: [{ bearer: [] }], params: Params, body: NoBody },
  });

  app.post('/users/:id/unlock', common('Lift a login lockout'), (request) => unlockUser(serviceContext(request), request.params.id));

  // Not on oneself (SELF_MODIFICATION): "sign out everywhere" is POST /me/revoke-sessions, with the password.
  app.post('/users/:id/revoke-sessions', common('End every session of the user, on every gateway'), (request) =>
    revokeUserSessions(serviceContext(request), request.params.id),
  );

  // Not on oneself (SELF_MODIFICATION): a stolen session must not be able to strip its victim's second factor.
  app.post('/users/:id/reset-mfa', common('Remove the user’s TOTP and recovery codes; they enrol again at next login'), (request) =>
    resetUserMfa(serviceContext(request), request.params.id),
  );

  app.post('/users/:id/resend-invitation', common('Mail a new setup link; the previous one stops working'), (request) =>
    resendInvitation(serviceContext(request), request.params.id),
  );
};
