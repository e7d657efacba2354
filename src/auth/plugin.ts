// The authentication capability as one plugin (listed in src/app/routes.ts):
// the Redis-backed rate limit first, so every route below may opt into it.
import type { FastifyPluginAsync } from 'fastify';
import { emailChangeRoutes } from '../email-change/routes.ts';
import { invitationRoutes } from '../invitations/routes.ts';
import { meRoutes } from '../me/routes.ts';
import { selfServiceRoutes } from '../me/self-service.routes.ts';
import { contextRoutes } from './context.routes.ts';
import { loginRoutes } from './login.routes.ts';
import { registerAuthRateLimit } from './rate-limit.ts';
import { setRefreshCookieOnTokens } from './refresh-cookie.ts';
import { sessionRoutes } from './session.routes.ts';
import { userSecurityRoutes } from './user-security.routes.ts';

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
