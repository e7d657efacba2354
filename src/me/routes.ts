// GET /me: who the caller is, in which context, and what it may do there.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { authenticate } from '../auth/authenticate.ts';
import { moduleCatalogue } from '../modules/catalogue.ts';
import { Role } from '../roles/role.entity.ts';
import { User } from '../users/user.entity.ts';
import { effectiveAcl } from './effective-acl.ts';

export const meRoutes: FastifyPluginAsyncTypebox = async (app) => {
  let modules: string[] | null = null;
  const catalogue = () => {
    try {
      modules ??= moduleCatalogue(app.deps.policy, app.deps.config);
    } catch {
      // Without a readable route table, the built-in modules still answer.
      return app.deps.policy.builtinModules;
    }
    return modules;
  };

  app.get(
    '/me',
    { preHandler: authenticate, schema: { tags: ['auth'], summary: 'The caller: user, context and effective ACL', security: [{ bearer: [] }] } },
    async (request) => {
      const { actor } = request;
      const [user, role] = await Promise.all([
        request.em.findOneOrFail(User, actor.user.id),
        request.em.findOne(Role, actor.user.roleId),
      ]);
      const roleUsable = role !== null && role.tenantId === user.tenantId;
      return {
        user: {
          id: user.id,
          email: user.email,
          type: user.type,
          tenantId: user.tenantId,
          resellerId: user.resellerId,
          merchantId: user.merchantId,
          roleId: user.roleId,
          status: user.status,
          enabled: user.status === 'ACTIVE',
          mfaEnrolled: user.mfaEnrolled,
          merchantsAccess: user.merchantsAccess,
          productIds: user.productIds,
          gatewayRefIds: user.gatewayRefIds,
          passwordChangedAt: user.passwordChangedAt?.toISOString() ?? null,
          createdAt: user.createdAt.toISOString(),
        },
        context: { type: actor.context.type, id: actor.context.id },
        session: { id: actor.session.id, expiresAt: new Date(actor.session.expiresAt).toISOString() },
        role: roleUsable ? { id: role.id, name: role.name, enabled: role.enabled } : null,
        acl: effectiveAcl(roleUsable ? role.acl : null, roleUsable && role.enabled, catalogue()),
      };
    },
  );
};
