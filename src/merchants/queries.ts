// What the merchants capability reads apart from its routes, and the merchant
// records other capabilities hand to the policy.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../context/request-context.ts';
import type { MerchantRecordCached } from '../../core/principal/records.ts';
import { findPage, type Page, type SortKey } from '../http/pagination.ts';
import { escapeLike } from '../http/search.ts';
import { merchantScope } from '../users/scope.ts';
import { Merchant } from './merchant.entity.ts';

/** The policy records of the merchants that exist among `ids`, of any tenant (the policy checks the tenant). */
export async function merchantRecords(em: EntityManager, ids: string[]): Promise<MerchantRecordCached[]> {
  if (ids.length === 0) return [];
  const rows = await em.find(Merchant, { id: { $in: ids } }, { fields: ['id', 'tenantId', 'resellerId'] });
  return rows.map((m) => ({ id: m.id, tenantId: m.tenantId, resellerId: m.resellerId }));
}

const byId: SortKey<Merchant> = { field: 'id', direction: 'asc', kind: 'string' };

export interface MerchantFilters {
  /** Prefix of the id or the name, case-insensitive. */
  q?: string;
  resellerId?: string;
}

/** One page of the merchants `actor` reaches, by id. */
export function merchantPage(
  em: EntityManager,
  actor: Actor,
  { q, resellerId }: MerchantFilters,
  cursor: string | undefined,
  limit: number,
): Promise<Page<Merchant>> {
  const filters = {
    ...(q ? { $or: [{ id: { $ilike: `${escapeLike(q)}%` } }, { name: { $ilike: `${escapeLike(q)}%` } }] } : {}),
    ...(resellerId ? { resellerId } : {}),
  };
  return findPage(em, Merchant, [merchantScope(actor), filters], byId, cursor, limit);
}

/** Whether any tenant's merchant has this id (ids are global keys). */
export async function merchantIdTaken(em: EntityManager, id: string): Promise<boolean> {
  return (await em.count(Merchant, { id })) > 0;
}
