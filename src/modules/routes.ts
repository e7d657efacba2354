// GET /v1/modules: the modules a role's ACL may name (docs/domain.md#modules).
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { authenticate } from '../auth/authenticate.ts';
import { authorize } from '../auth/authorize.ts';
import { Nullable, bearer, errorResponses } from '../http/schemas.ts';
import { catalogueList } from './catalogue.ts';
import { serviceContext } from '../context/service-context.ts';

const ModuleView = Type.Object({
  name: Type.String(),
  /** Built into the control plane (else named by the gateway's route table or an SoD pair). */
  builtin: Type.Boolean(),
  /** The highest level any role may grant it (`audit`: R), or null when RW and CHECKER are allowed. */
  ceiling: Nullable(Type.String()),
});

export const modulesRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', authenticate);

  app.get('/modules', {
    schema: {
      tags: ['roles'],
      summary: 'The module catalogue, by name',
      security: bearer,
      response: { 200: Type.Object({ items: Type.Array(ModuleView), nextCursor: Type.Null() }), ...errorResponses(403) },
    },
  }, async (request) => {
    authorize(serviceContext(request), 'roles.read');
    const { policy, config } = request.server.deps;
    const builtin = new Set(policy.builtinModules);
    const ceilings = (policy.data['authz_config'] as { max_levels?: Record<string, string> } | undefined)?.max_levels ?? {};
    const items = catalogueList(policy, config).map((name) => ({
      name,
      builtin: builtin.has(name),
      ceiling: ceilings[name] ?? null,
    }));
    return { items, nextCursor: null };
  });
};
