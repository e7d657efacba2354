import type { ContextInput, MerchantRecord, PrincipalInput } from '../policy/types.ts';
import type { MerchantRecordCached, RoleRecord, SessionRecord, UserRecord } from './records.ts';

/** The policy's view of a caller at `now` (ms). A missing role or session denies (fail closed). */
export function principalInput(user: UserRecord, role: RoleRecord | null, session: SessionRecord | null, now = Date.now()): PrincipalInput {
  const roleUsable = role !== null && role.tenantId === user.tenantId;
  return {
    user_id: user.id,
    tenant_id: user.tenantId,
    type: user.type,
    reseller_id: user.resellerId ?? '',
    merchant_id: user.merchantId ?? '',
    status: user.status,
    session_active: session !== null && session.active && session.userId === user.id && session.expiresAt > now,
    role: roleUsable ? { id: role.id, enabled: role.enabled, acl: role.acl } : { id: '', enabled: false, acl: {} },
    merchants_access: user.merchantsAccess,
    merchant_resellers: user.merchantResellers,
    product_ids: user.productIds,
    gateway_ref_ids: user.gatewayRefIds,
  };
}

export function contextInput(type: ContextInput['type'], id: string): ContextInput {
  return { type, id };
}

export function merchantInput(m: MerchantRecordCached | null): MerchantRecord | null {
  return m ? { id: m.id, tenant_id: m.tenantId, reseller_id: m.resellerId ?? '' } : null;
}
