// One page of users for the routes that list a reseller's or a merchant's
// users: always within the caller's scope, oldest first.
import type { FilterQuery } from '@mikro-orm/core';
import type { FastifyRequest } from 'fastify';
import { findPage, type Page, type SortKey } from '../http/pagination.ts';
import { userScope } from './scope.ts';
import { User } from './user.entity.ts';
import { userView, type UserViewT } from './view.ts';

const byCreation: SortKey<User> = { field: 'createdAt', direction: 'asc', kind: 'date' };

export async function userPage(
  request: FastifyRequest,
  filter: FilterQuery<User>,
  cursor: string | undefined,
  limit: number,
): Promise<Page<UserViewT>> {
  const { items, nextCursor } = await findPage(request.em, User, [userScope(request.actor), filter], byCreation, cursor, limit);
  return { items: items.map(userView), nextCursor };
}
