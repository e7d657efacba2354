// Who holds a role. `activeUsersCount` counts holders that are not deleted
// (INVITED, ACTIVE, DISABLED): an invited user becomes active with the role,
// a disabled one may be enabled again. Soft-deleted holders are not counted,
// but still block a delete (the user row keeps its role for a restore).
import { raw, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { User, type UserStatus } from '../users/user.entity.ts';

export const holdingStatuses: UserStatus[] = ['INVITED', 'ACTIVE', 'DISABLED'];

/** Holders per role among `roleIds`, restricted to `scope` (the users the caller sees). */
export async function activeUsersCounts(em: EntityManager, roleIds: string[], scope: FilterQuery<User>): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  if (roleIds.length === 0) return counts;
  const qb = em
    .createQueryBuilder(User, 'u')
    .select(['u.roleId', raw('count(*) as n')])
    .where({ $and: [{ roleId: { $in: roleIds }, status: { $in: holdingStatuses } }, scope] })
    .groupBy('u.roleId');
  const rows = await qb.execute<{ roleId: string; n: string }[]>('all', true);
  for (const r of rows) counts.set(r.roleId, Number(r.n));
  return counts;
}
