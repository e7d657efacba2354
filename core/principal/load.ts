// Reads the records of principal/records.ts from PostgreSQL, in plain SQL (no
// ORM: the gateway loads none). The gateway puts caches in front of these; the
// control plane reads them fresh per request.
import type { RowQuery } from '../db/rows.ts';
import type { MerchantRecordCached, RoleRecord, SessionRecord, UserRecord } from './records.ts';

export async function loadUserRecord(rows: RowQuery, id: string): Promise<UserRecord | null> {
  const found = await rows<
    { id: string; tenant_id: string; type: UserRecord['type']; reseller_id: string | null; merchant_id: string | null;
      role_id: string; status: string; merchants_access: string[]; product_ids: string[]; gateway_ref_ids: string[];
      merchant_resellers: Record<string, string> | null }
  >(
    `select u.id, u.tenant_id, u.type, u.reseller_id, u.merchant_id, u.role_id, u.status, u.merchants_access,
            u.product_ids, u.gateway_ref_ids,
            (select jsonb_object_agg(m.id, coalesce(m.reseller_id, ''))
               from merchants m where m.tenant_id = u.tenant_id and m.id = any(u.merchants_access)) as merchant_resellers
       from users u where u.id = $1`,
    [id],
  );
  const r = found[0];
  if (!r) return null;
  return {
    id: r.id,
    tenantId: r.tenant_id,
    type: r.type,
    resellerId: r.reseller_id,
    merchantId: r.merchant_id,
    roleId: r.role_id,
    status: r.status,
    merchantsAccess: r.merchants_access,
    merchantResellers: r.merchant_resellers ?? {},
    productIds: r.product_ids,
    gatewayRefIds: r.gateway_ref_ids,
  };
}

export async function loadRoleRecord(rows: RowQuery, id: string): Promise<RoleRecord | null> {
  const found = await rows<{ id: string; tenant_id: string; enabled: boolean; acl: RoleRecord['acl'] }>(
    'select id, tenant_id, enabled, acl from roles where id = $1',
    [id],
  );
  const r = found[0];
  return r ? { id: r.id, tenantId: r.tenant_id, enabled: r.enabled, acl: r.acl } : null;
}

export async function loadSessionRecord(rows: RowQuery, id: string): Promise<SessionRecord | null> {
  const found = await rows<{ id: string; user_id: string; revoked_at: Date | null; expires_at: Date }>(
    'select id, user_id, revoked_at, expires_at from sessions where id = $1',
    [id],
  );
  const r = found[0];
  return r ? { id: r.id, userId: r.user_id, active: r.revoked_at === null, expiresAt: new Date(r.expires_at).getTime() } : null;
}

export async function loadMerchantRecord(rows: RowQuery, id: string): Promise<MerchantRecordCached | null> {
  const found = await rows<{ id: string; tenant_id: string; reseller_id: string | null }>(
    'select id, tenant_id, reseller_id from merchants where id = $1',
    [id],
  );
  const r = found[0];
  return r ? { id: r.id, tenantId: r.tenant_id, resellerId: r.reseller_id } : null;
}
