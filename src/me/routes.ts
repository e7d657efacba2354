// GET /me: who the caller is, in which context, and what it may do there
// (the reads are in queries.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authenticate } from '../auth/authenticate.ts';
import { catalogueList } from '../modules/catalogue.ts';
import { serviceContext } from '../context/service-context.ts';
import { whoAmI } from './queries.ts';

export const meRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const catalogue = () => {
    try {
      return catalogueList(app.deps.policy, app.deps.config);
    } catch {
      // Without a readable route table, the built-in modules still answer.
      return app.deps.policy.builtinModules;
    }
  };

  app.get(
    '/me',
    { preHandler: authenticate, schema: { tags: ['auth'], summary: 'The caller: user, context and effective ACL', security: [{ bearer: [] }] } },
    (request) => whoAmI(serviceContext(request), catalogue()),
  );
};
