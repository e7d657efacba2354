// The security settings that govern one user (docs/domain.md#two-factor): the tenant's,
// overridden field by field by its reseller's (a merchant user's reseller is
// its merchant's). Two-factor is required when ANY layer asks for it: the
// tenant, the reseller, the user's merchant or the user's role.
import type { EntityManager } from '@mikro-orm/postgresql';
import { Merchant } from '../merchants/merchant.entity.ts';
import { Reseller } from '../resellers/reseller.entity.ts';
import { Role } from '../roles/role.entity.ts';
import { effectiveSecurity } from '../security/settings.ts';
import { Tenant } from '../tenants/tenant.entity.ts';
import type { User } from '../users/user.entity.ts';

export type UserSecurity = ReturnType<typeof effectiveSecurity>;

export const defaultUserSecurity: UserSecurity = effectiveSecurity();

export async function securityFor(
  em: EntityManager,
  user: Pick<User, 'tenantId' | 'resellerId' | 'merchantId' | 'roleId'>,
): Promise<UserSecurity> {
  const [tenant, reseller, merchant, role] = await Promise.all([
    em.findOne(Tenant, user.tenantId),
    user.resellerId ? em.findOne(Reseller, user.resellerId) : null,
    user.merchantId ? em.findOne(Merchant, user.merchantId) : null,
    em.findOne(Role, user.roleId),
  ]);
  const settings = effectiveSecurity(tenant?.security, reseller?.security);
  const mfaRequired =
    tenant?.security.mfaRequired === true ||
    reseller?.security.mfaRequired === true ||
    merchant?.settings.mfaRequired === true ||
    role?.requireMfa === true;
  return { ...settings, mfaRequired };
}
