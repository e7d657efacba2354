// The policy's view of the user an administrative operation acts on
// (policies/authz/admin_targets.rego): where it belongs, the ACL of the role
// it holds (nobody acts on a user whose role grants more than their own) and,
// for a merchant user, its merchant's record (within the actor's access).
// Records are read within the user's tenant; one that is missing is passed as
// such and the policy denies.
import type { EntityManager } from '@mikro-orm/postgresql';
import { merchantInput } from '../../core/principal/build.ts';
import { loadMerchantRecord } from '../../core/principal/load.ts';
import type { TargetUserInput } from '../../core/policy/types.ts';
import { emRows } from '../db/rows.ts';
import { Role } from '../roles/role.entity.ts';
import type { User } from './user.entity.ts';
import { targetFact } from './view.ts';

export type TargetUser = Pick<User, 'id' | 'type' | 'tenantId' | 'resellerId' | 'merchantId'> & Partial<Pick<User, 'roleId'>>;

export async function targetUserFact(em: EntityManager, user: TargetUser): Promise<TargetUserInput> {
  const fact = targetFact(user);
  if (user.id !== '') {
    const role = user.roleId ? await em.findOne(Role, { id: user.roleId, tenantId: user.tenantId }, { fields: ['acl'] }) : null;
    fact.role = { acl: role?.acl ?? null };
  }
  if (user.type === 'MERCHANT' && user.merchantId) {
    const merchant = merchantInput(await loadMerchantRecord(emRows(em), user.merchantId));
    if (merchant) fact.merchant = merchant;
  }
  return fact;
}
