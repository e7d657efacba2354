// The tenant's approval settings: which control-plane actions need a checker.
import type { ServiceContext } from '../context/service-context.ts';
import { auditActor, authorize } from '../auth/authorize.ts';
import { recordAudit } from '../audit/record.ts';
import { Tenant } from '../tenants/tenant.entity.ts';
import { approvalSettingsOf as settingsOf } from '../tenants/view.ts';

export type ApprovalSettings = ReturnType<typeof settingsOf>;

export async function approvalSettings(ctx: ServiceContext): Promise<ApprovalSettings> {
  authorize(ctx, 'tenants.read');
  return settingsOf(await ctx.em.findOneOrFail(Tenant, { id: ctx.actor.user.tenantId }));
}

export async function updateApprovalSettings(ctx: ServiceContext, patch: Partial<ApprovalSettings>): Promise<ApprovalSettings> {
  authorize(ctx, 'tenants.approvals.update');
  const tenant = await ctx.em.transactional(async (em) => {
    const tenant = await em.findOneOrFail(Tenant, { id: ctx.actor.user.tenantId });
    const before = settingsOf(tenant);
    tenant.approvals = { ...before, ...patch };
    recordAudit(em, auditActor(ctx), { action: 'tenant.approval_settings', targetType: 'tenant', targetId: tenant.id, before, after: settingsOf(tenant) });
    return tenant;
  });
  return settingsOf(tenant);
}
