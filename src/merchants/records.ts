import type { EntityManager } from '@mikro-orm/postgresql';
import type { MerchantRecordCached } from '../../core/principal/records.ts';
import { Merchant } from './merchant.entity.ts';

/** The policy records of the merchants that exist among `ids`, of any tenant (the policy checks the tenant). */
export async function merchantRecords(em: EntityManager, ids: string[]): Promise<MerchantRecordCached[]> {
  if (ids.length === 0) return [];
  const rows = await em.find(Merchant, { id: { $in: ids } }, { fields: ['id', 'tenantId', 'resellerId'] });
  return rows.map((m) => ({ id: m.id, tenantId: m.tenantId, resellerId: m.resellerId }));
}
