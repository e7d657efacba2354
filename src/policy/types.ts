// The policy contract (DESIGN.md 8), as the Rego in policies/authz reads it.
import type { Acl, ContextType } from '../roles/role.entity.ts';

export interface PrincipalInput {
  user_id: string;
  tenant_id: string;
  type: ContextType;
  reseller_id: string;
  merchant_id: string;
  status: string;
  session_active: boolean;
  role: { id: string; enabled: boolean; acl: Acl };
  merchants_access: string[];
  /** For listed merchants: merchant id → its reseller id ("" for direct merchants). */
  merchant_resellers: Record<string, string>;
  product_ids: string[];
  gateway_ref_ids: string[];
}

export interface ContextInput {
  type: ContextType;
  id: string;
}

export interface MerchantRecord {
  id: string;
  tenant_id: string;
  reseller_id: string;
}

export interface DecisionInput {
  principal: PrincipalInput;
  context: ContextInput;
  request: {
    module: string;
    action: 'read' | 'write' | 'approve';
    merchant: MerchantRecord | null;
    merchant_id: string;
    product_id: string;
    gateway_ref_id: string;
    maker_id: string;
  };
}

export interface DecisionResult {
  allow: boolean;
  reasons: string[];
  merchant_id: string;
  merchant_scope: string;
}

export interface AdminInput {
  principal: PrincipalInput;
  context: ContextInput;
  operation: string;
  merchant?: MerchantRecord;
}

export interface AdminResult {
  allow: boolean;
  reasons: string[];
}

export interface RoleCheckInput {
  acl: Acl;
  actor_acl: Acl | null;
}

export interface RoleCheckResult {
  sod_violations: string[];
  escalations: string[];
  over_ceiling: string[];
}
