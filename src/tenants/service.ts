// The caller's own tenant, read and edited in TENANT context (tenants: R / RW).
import type { Static } from '@sinclair/typebox';
import { inTransaction, type ServiceContext } from '../context/service-context.ts';
import { authorize } from '../auth/authorize.ts';
import { announceRevoked } from '../auth/sessions.ts';
import { checkSecuritySettings } from '../resellers/view.ts';
import { recordSettingsEdit } from '../security/mfa-tightening.ts';
import { mergeSecurity } from '../security/merge.ts';
import { Tenant } from './tenant.entity.ts';
import { approvalSettingsOf, tenantAudit, type UpdateTenantBody } from './view.ts';

export async function currentTenant(ctx: ServiceContext): Promise<Tenant> {
  authorize(ctx, 'tenants.read');
  return ctx.em.findOneOrFail(Tenant, { id: ctx.actor.user.tenantId });
}

/**
 * Security fields not sent are kept; passwordPolicy and approvals merge field
 * by field. Turning 2FA on ends the sessions of the tenant's users who have
 * not enrolled (they enrol at their next login).
 */
export async function updateTenant(ctx: ServiceContext, { name, security }: Static<typeof UpdateTenantBody>): Promise<Tenant> {
  authorize(ctx, 'tenants.update');
  const { approvals, ...settings } = security ?? {};
  const { tenant, revoked } = await ctx.em.transactional(async (em) => {
    const tenant = await em.findOneOrFail(Tenant, { id: ctx.actor.user.tenantId });
    const before = tenantAudit(tenant);
    const beforeSecurity = tenant.security;
    if (name !== undefined) tenant.name = name;
    if (security) {
      tenant.security = mergeSecurity(tenant.security, settings);
      checkSecuritySettings(tenant.security);
    }
    if (approvals) tenant.approvals = { ...approvalSettingsOf(tenant), ...approvals };
    const revoked = await recordSettingsEdit(inTransaction(ctx, em), {
      mfa: [beforeSecurity, tenant.security],
      layer: { tenantId: tenant.id },
      event: { action: 'tenant.update', targetType: 'tenant', targetId: tenant.id, before, after: tenantAudit(tenant) },
    });
    return { tenant, revoked };
  });
  void announceRevoked(ctx.deps, revoked);
  return tenant;
}
