// The authentication and self-service routes (login, sessions, contexts,
// invitations, email change, /me) as one plugin, listed in routes.ts: the
// Redis-backed rate limit is registered first in its scope, so every route
// below may opt into it. It lives in app/ because it assembles routes of
// several capabilities; auth/ itself imports none of them.
import type { FastifyPluginAsync } from 'fastify';
import { emailChangeRoutes } from '../email-change/routes.ts';
import { invitationRoutes } from '../invitations/routes.ts';
import { meRoutes } from '../me/routes.ts';
import { selfServiceRoutes } from '../me/self-service.routes.ts';
import { contextRoutes } from '../auth/context.routes.ts';
import { loginRoutes } from '../auth/login.routes.ts';
import { registerAuthRateLimit } from '../auth/rate-limit.ts';
import { setRefreshCookieOnTokens } from '../auth/refresh-cookie.ts';
import { sessionRoutes } from '../auth/session.routes.ts';
import { userSecurityRoutes } from '../auth/user-security.routes.ts';

export const authenticationRoutes: FastifyPluginAsync = async (app) => {
  await registerAuthRateLimit(app);
  setRefreshCookieOnTokens(app);
  await app.register(loginRoutes);
  await app.register(sessionRoutes);
  await app.register(contextRoutes);
  await app.register(invitationRoutes);
  await app.register(emailChangeRoutes);
  await app.register(userSecurityRoutes);
  await app.register(meRoutes);
  await app.register(selfServiceRoutes);
};
