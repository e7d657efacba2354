// The policy contract (docs/http.md#policy-input), as the Rego in policies/authz reads it.
import type { Acl, ContextType } from '../principal/access.ts';

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
    /** The route locates a product (gateway reference): a restricted user must name one (always true for approvals). */
    product_required: boolean;
    gateway_ref_required: boolean;
    maker_id: string;
    /** Approvals only: the context the maker acted in (policies/authz/approval.rego). */
    maker_context?: ContextInput;
    /** Approvals only: when the request was made (epoch ms). */
    made_at?: number;
    /** Approvals only: who appointed the checker (invited it, gave or changed its role) since `made_at`. */
    checker_appointments?: CheckerAppointment[];
    /** Approvals of control-plane actions: the user or role acted on (nobody decides about themselves). */
    target_user_id?: string;
    target_role_id?: string;
    /**
     * Gateway requests on a route with `policyInput` only (docs/http.md#policy-input):
     * the method, the canonical path's segments (each decoded once), the query
     * (name → value, or a list when repeated) and the headers the route names
     * (lower case; absent ones left out).
     */
    method?: string;
    path?: string[];
    query?: Record<string, string | string[]>;
    headers?: Record<string, string>;
  };
}

/** An audit event that appointed a checker (policies/authz/approval.rego): by whom, when (epoch ms), which action. */
export interface CheckerAppointment {
  by: string;
  at: number;
  what: string;
}

export interface DecisionResult {
  allow: boolean;
  reasons: string[];
  merchant_id: string;
  merchant_scope: string;
  /** `*` or the comma-separated product ids (gateway references) the caller is restricted to, for the upstream. */
  product_scope: string;
  gateway_ref_scope: string;
}

export interface AdminInput {
  principal: PrincipalInput;
  context: ContextInput;
  operation: string;
  merchant?: MerchantRecord;
  /** The user acted on or being created (policies/authz/admin_targets.rego). */
  target?: TargetUserInput;
  /** A merchant access being granted; `[]` grants the target's whole home scope. */
  merchants?: MerchantRecord[];
  restrictions?: { product_ids: string[]; gateway_ref_ids: string[] };
  role?: TargetRoleInput;
}

export interface TargetUserInput {
  /** "" for a user being created. */
  id: string;
  type: ContextType;
  tenant_id: string;
  reseller_id: string;
  merchant_id: string;
  /** The role the user holds (not for a user being created): nobody acts on a user above them. */
  role?: { acl: Acl | null };
  /** A MERCHANT user's merchant: it must be within the actor's merchant access and context. */
  merchant?: MerchantRecord;
}

export interface TargetRoleInput {
  id: string;
  tenant_id: string;
  system: boolean;
  owner_type: ContextType;
  owner_id: string;
  /** The owning merchant's reseller ("" unless a merchant under a reseller owns it). */
  owner_reseller_id: string;
  /** Its ACL as it is now: nobody changes a role that grants more than they hold. */
  acl: Acl | null;
}

export interface AdminResult {
  allow: boolean;
  reasons: string[];
}

export interface RoleCheckInput {
  acl: Acl;
  actor_acl: Acl | null;
  /** The role's ACL before an edit: `raised` compares against it. */
  previous_acl?: Acl;
}

export interface RoleCheckResult {
  /** True only when the ACL is well formed and nothing below is reported. */
  allow: boolean;
  /** The ACL is not an object of known levels. */
  invalid: boolean;
  sod_violations: string[];
  escalations: string[];
  over_ceiling: string[];
  /** Modules an edit lets holders do more on (empty without `previous_acl`). */
  raised: string[];
}
