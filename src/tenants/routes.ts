// /v1/tenants/current: the caller's own tenant, read and edited in TENANT
// context (tenants: R / RW). Another tenant is never addressable: there is no
// tenant id in the path. The console's Settings screen uses these.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { serviceContext } from '../context/service-context.ts';
import { authenticate } from '../auth/authenticate.ts';
import { bearer, errorResponses } from '../http/schemas.ts';
import { currentTenant, updateTenant } from './service.ts';
import { TenantView, tenantView, UpdateTenantBody } from './view.ts';

export const tenantsRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', authenticate);

  app.get('/tenants/current', {
    schema: {
      tags: ['tenants'],
      summary: "The caller's tenant: name, security settings (set and effective), approval settings (TENANT context, tenants: R)",
      security: bearer,
      response: { 200: TenantView, ...errorResponses(403) },
    },
  }, async (request) => {
    return tenantView(await currentTenant(serviceContext(request)));
  });

  app.patch('/tenants/current', {
    schema: {
      tags: ['tenants'],
      summary: "Edit the caller's tenant: name, security (2FA, password policy, lockout, approvals) (TENANT context, tenants: RW)",
      description:
        'Security fields not sent are kept; passwordPolicy and approvals merge field by field. Turning 2FA on ends the ' +
        'sessions of the tenant\'s users who have not enrolled (they enrol at their next login).',
      security: bearer,
      body: UpdateTenantBody,
      response: { 200: TenantView, ...errorResponses(400, 403, 409) },
    },
  }, async (request) => {
    const tenant = await updateTenant(serviceContext(request), request.body);
    return tenantView(tenant);
  });
};
