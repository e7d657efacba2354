// GET /me: who the caller is, in which context, and what it may do there
// (the reads are in queries.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authenticate } from '../auth/authenticate.ts';
import type { PolicyEngine } from '../../core/policy/engine.ts';
import { moduleCatalogue } from '../modules/catalogue.ts';
import { serviceContext } from '../app/service-context.ts';
import { whoAmI } from './queries.ts';

export const meRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Per bundle: a bundle server can put a new one in force while the control plane runs.
  const catalogues = new WeakMap<PolicyEngine, string[]>();
  const catalogue = () => {
    const policy = app.deps.policy;
    let modules = catalogues.get(policy);
    try {
      if (modules === undefined) catalogues.set(policy, (modules = moduleCatalogue(policy, app.deps.config)));
    } catch {
      // Without a readable route table, the built-in modules still answer.
      return policy.builtinModules;
    }
    return modules;
  };

  app.get(
    '/me',
    { preHandler: authenticate, schema: { tags: ['auth'], summary: 'The caller: user, context and effective ACL', security: [{ bearer: [] }] } },
    (request) => whoAmI(serviceContext(request), catalogue()),
  );
};
