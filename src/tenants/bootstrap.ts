// Creates a tenant with its system roles and an invited Tenant Admin, in one
// transaction with its audit events. Used by `npm run cli -- tenant:create`,
// the demo seed and tests.
import { randomUUID } from 'node:crypto';
import type { ControlPlaneDeps } from '../context/deps.ts';
import { recordAudit } from '../audit/record.ts';
import { issueInvitation, invitationMail, type IssuedLink } from '../invitations/issue.ts';
import { sodPairs } from '../modules/catalogue.ts';
import { Role, type ContextType } from '../roles/role.entity.ts';
import { systemRoleAcl, systemRoleNames } from '../roles/system-roles.ts';
import { User } from '../users/user.entity.ts';
import { Tenant } from './tenant.entity.ts';
import type { SecuritySettings } from '../security/settings.ts';

export interface TenantBootstrap {
  tenant: Tenant;
  roles: Record<ContextType, Role>;
  admin: User;
  invitation: IssuedLink;
}

export async function bootstrapTenant(
  deps: ControlPlaneDeps,
  input: { id: string; name: string; adminEmail: string; security?: SecuritySettings },
): Promise<TenantBootstrap> {
  const pairs = sodPairs(deps.policy);
  const result = await deps.orm.em.fork().transactional(async (em) => {
    // A new tenant requires 2FA (docs/domain.md#user-lifecycle, as the dashboard guide's invitation
    // flow does); its admin may turn it off, or the caller says so here.
    const tenant = em.create(Tenant, { id: input.id, name: input.name, security: { mfaRequired: true, ...input.security }, approvals: {} });
    em.persist(tenant);
    const roles = {} as Record<ContextType, Role>;
    for (const scope of ['TENANT', 'RESELLER', 'MERCHANT'] as const) {
      roles[scope] = em.create(Role, {
        id: randomUUID(),
        tenantId: tenant.id,
        name: systemRoleNames[scope],
        description: `Built-in administrator of a ${scope.toLowerCase()}`,
        scope,
        ownerType: 'TENANT',
        ownerId: tenant.id,
        acl: systemRoleAcl(scope, pairs),
        enabled: true,
        system: true,
        requireMfa: false,
      });
      em.persist(roles[scope]);
    }
    const admin = em.create(User, {
      id: randomUUID(),
      tenantId: tenant.id,
      email: input.adminEmail.toLowerCase(),
      type: 'TENANT',
      roleId: roles.TENANT.id,
      status: 'INVITED',
    });
    em.persist(admin);
    // Tables have FKs; flush parents before the invitation row.
    await em.flush();
    const invitation = await issueInvitation(em, admin, {
      publicUrl: deps.config.PUBLIC_URL,
      ttlHours: deps.config.INVITATION_TTL_HOURS,
      now: deps.now(),
    });
    const actor = { tenantId: tenant.id, actorId: null, contextType: null, contextId: null, requestId: null };
    recordAudit(em, actor, { action: 'tenant.create', targetType: 'tenant', targetId: tenant.id, after: { name: tenant.name } });
    recordAudit(em, actor, { action: 'user.invite', targetType: 'user', targetId: admin.id, after: { email: admin.email, roleId: admin.roleId } });
    return { tenant, roles, admin, invitation };
  });
  await deps.mailer.send(invitationMail(result.admin.email, result.invitation.link, result.invitation.expiresAt));
  return result;
}
