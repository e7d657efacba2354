// What the users capability reads for its routes and those of resellers and
// merchants: pages of users, always within the actor's scope, oldest first.
import type { FilterQuery } from '@mikro-orm/core';
import type { ServiceContext } from '../context/service-context.ts';
import { findPage, type Page, type SortKey } from '../http/pagination.ts';
import { escapeLike } from '../http/search.ts';
import { userScope } from './scope.ts';
import { User, type UserStatus } from './user.entity.ts';
import { userView, type UserViewT } from './view.ts';

const byCreation: SortKey<User> = { field: 'createdAt', direction: 'asc', kind: 'date' };

export async function userPage(
  { em, actor }: Pick<ServiceContext, 'em' | 'actor'>,
  filter: FilterQuery<User>,
  cursor: string | undefined,
  limit: number,
): Promise<Page<UserViewT>> {
  const { items, nextCursor } = await findPage(em, User, [userScope(actor), filter], byCreation, cursor, limit);
  return { items: items.map(userView), nextCursor };
}

export interface UserFilters {
  status?: UserStatus;
  roleId?: string;
  type?: User['type'];
  merchantId?: string;
  /** Email prefix, case-insensitive. */
  q?: string;
}

/** GET /users's filters as a query. */
export function userFilter({ status, roleId, type, merchantId, q }: UserFilters): FilterQuery<User> {
  return {
    ...(status ? { status } : {}),
    ...(roleId ? { roleId } : {}),
    ...(type ? { type } : {}),
    ...(merchantId ? { merchantId } : {}),
    ...(q ? { email: { $like: `${escapeLike(q.toLowerCase())}%` } } : {}),
  };
}
