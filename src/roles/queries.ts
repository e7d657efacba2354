// What the roles capability reads, apart from the routes: pages, holders and
// names. Holders: `activeUsersCount` counts holders that are not deleted
// (INVITED, ACTIVE, DISABLED): an invited user becomes active with the role,
// a disabled one may be enabled again. Soft-deleted holders are not counted,
// but still block a delete (the user row keeps its role for a restore).
import { raw, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../context/request-context.ts';
import { findPage, type Page, type SortKey } from '../http/pagination.ts';
import { escapeLike } from '../http/search.ts';
import { userScope } from '../users/scope.ts';
import { User, type UserStatus } from '../users/user.entity.ts';
import { Role } from './role.entity.ts';
import { roleScope } from './scope.ts';

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

/** The role's holders among the users `actor` sees. */
export async function activeUsersCount(em: EntityManager, actor: Actor, role: Role): Promise<number> {
  return (await activeUsersCounts(em, [role.id], userScope(actor))).get(role.id) ?? 0;
}

export interface RoleFilters {
  scope?: Role['scope'];
  enabled?: boolean;
  /** Name prefix, case-insensitive. */
  q?: string;
}

const byName: SortKey<Role> = { field: 'name', direction: 'asc', kind: 'string' };

/** One page of the roles `actor` sees, by name, with each one's holder count. */
export async function rolePage(
  em: EntityManager,
  actor: Actor,
  { scope, enabled, q }: RoleFilters,
  cursor: string | undefined,
  limit: number,
): Promise<Page<{ role: Role; activeUsersCount: number }>> {
  const filters = {
    ...(scope ? { scope } : {}),
    ...(enabled !== undefined ? { enabled } : {}),
    ...(q ? { name: { $ilike: `${escapeLike(q)}%` } } : {}),
  };
  const { items, nextCursor } = await findPage(em, Role, [await roleScope(actor, em), filters], byName, cursor, limit);
  const counts = await activeUsersCounts(em, items.map((r) => r.id), userScope(actor));
  return { items: items.map((role) => ({ role, activeUsersCount: counts.get(role.id) ?? 0 })), nextCursor };
}

/** Up to `limit` holders of the role among the users `actor` sees, by email. */
export async function listedHolders(em: EntityManager, actor: Actor, role: Role, limit: number) {
  return em.find(
    User,
    { $and: [{ roleId: role.id }, userScope(actor)] },
    { fields: ['id', 'email', 'type', 'status'], orderBy: { email: 'asc' }, limit },
  );
}

/** Holders that are not deleted, whoever sees them (read in `em`'s transaction). */
export function holdersCount(em: EntityManager, roleId: string): Promise<number> {
  return em.count(User, { roleId, status: { $in: holdingStatuses } });
}

/** Every user row holding the role, soft-deleted ones included. */
export function usersWithRole(em: EntityManager, roleId: string): Promise<number> {
  return em.count(User, { roleId });
}

/** Names the owner already uses that start with `prefix`. */
export async function namesStartingWith(
  em: EntityManager,
  owner: Pick<Role, 'tenantId' | 'ownerType' | 'ownerId'>,
  prefix: string,
): Promise<Set<string>> {
  return new Set((await em.find(Role, { ...owner, name: { $like: `${escapeLike(prefix)}%` } }, { fields: ['name'] })).map((r) => r.name));
}
