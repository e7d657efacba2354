// What GET /me answers: the caller's user row, its context and session, and
// what its role lets it do there (docs/http.md#routes).
import type { ServiceContext } from '../context/service-context.ts';
import { Role } from '../roles/role.entity.ts';
import { User } from '../users/user.entity.ts';
import { effectiveAcl } from './effective-acl.ts';

/** The caller as GET /me shows it; `modules` are the ones the effective ACL lists. */
export async function whoAmI(ctx: ServiceContext, modules: string[]) {
  const { actor } = ctx;
  const [user, role] = await Promise.all([ctx.em.findOneOrFail(User, actor.user.id), ctx.em.findOne(Role, actor.user.roleId)]);
  // A role of another tenant grants nothing here, even if a row pointed at one.
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
    acl: effectiveAcl(roleUsable ? role.acl : null, roleUsable && role.enabled, modules),
  };
}
