// /v1/tenants/current: the caller's own tenant, read and edited in TENANT
// context (tenants: R / RW). Another tenant is never addressable: there is no
// tenant id in the path. The console's Settings screen uses these.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { authenticate } from '../auth/authenticate.ts';
import { auditActor, authorize } from '../auth/authorize.ts';
import { announceRevoked } from '../auth/sessions.ts';
import { recordAudit } from '../audit/record.ts';
import { bearer, errorResponses } from '../http/schemas.ts';
import { checkSecuritySettings } from '../resellers/view.ts';
import { endSessionsLackingMfa, mfaTurnedOn } from '../security/mfa-tightening.ts';
import { mergeSecurity } from '../security/merge.ts';
import { Tenant } from './tenant.entity.ts';
import { approvalSettingsOf, tenantAudit, TenantView, tenantView, UpdateTenantBody } from './view.ts';

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
    authorize(request, 'tenants.read');
    return tenantView(await request.em.findOneOrFail(Tenant, { id: request.actor.user.tenantId }));
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
    authorize(request, 'tenants.update');
    const { name, security } = request.body;
    const { approvals, ...settings } = security ?? {};
    const { tenant, revoked } = await request.em.transactional(async (em) => {
      const tenant = await em.findOneOrFail(Tenant, { id: request.actor.user.tenantId });
      const before = tenantAudit(tenant);
      const beforeSecurity = tenant.security;
      if (name !== undefined) tenant.name = name;
      if (security) {
        tenant.security = mergeSecurity(tenant.security, settings);
        checkSecuritySettings(tenant.security);
      }
      if (approvals) tenant.approvals = { ...approvalSettingsOf(tenant), ...approvals };
      const revoked = mfaTurnedOn(beforeSecurity, tenant.security)
        ? await endSessionsLackingMfa(em, { tenantId: tenant.id }, request.server.deps.now())
        : [];
      recordAudit(em, auditActor(request), {
        action: 'tenant.update',
        targetType: 'tenant',
        targetId: tenant.id,
        before,
        after: { ...tenantAudit(tenant), ...(revoked.length > 0 ? { sessionsEndedForMfa: revoked.length } : {}) },
      });
      return { tenant, revoked };
    });
    await announceRevoked(request.server.deps, revoked);
    return tenantView(tenant);
  });
};
