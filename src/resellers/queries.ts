// What the resellers capability reads apart from its routes.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../context/request-context.ts';
import { findPage, type Page, type SortKey } from '../http/pagination.ts';
import { escapeLike } from '../http/search.ts';
import { Role } from '../roles/role.entity.ts';
import { systemRoleNames } from '../roles/system-roles.ts';
import { Reseller } from './reseller.entity.ts';
import { resellerScope } from './scope.ts';

const byId: SortKey<Reseller> = { field: 'id', direction: 'asc', kind: 'string' };

/** One page of the resellers `actor` sees, by id; `q` matches a prefix of the id or the name. */
export function resellerPage(em: EntityManager, actor: Actor, q: string | undefined, cursor: string | undefined, limit: number): Promise<Page<Reseller>> {
  const search = q ? { $or: [{ id: { $ilike: `${escapeLike(q)}%` } }, { name: { $ilike: `${escapeLike(q)}%` } }] } : {};
  return findPage(em, Reseller, [resellerScope(actor), search], byId, cursor, limit);
}

/** Whether any tenant's reseller has this id (ids are global keys). */
export async function resellerIdTaken(em: EntityManager, id: string): Promise<boolean> {
  return (await em.count(Reseller, { id })) > 0;
}

/** The tenant's "Reseller Admin" system role, which a new reseller's admin is invited with. */
export function resellerAdminRole(em: EntityManager, tenantId: string): Promise<Role> {
  return em.findOneOrFail(Role, { tenantId, system: true, ownerType: 'TENANT', scope: 'RESELLER', name: systemRoleNames.RESELLER });
}
