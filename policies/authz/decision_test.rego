package authz_test

import data.authz

acme_m1 := {"id": "m1", "tenant_id": "acme", "reseller_id": ""}

acme_m2 := {"id": "m2", "tenant_id": "acme", "reseller_id": "r1"}

acme_m3 := {"id": "m3", "tenant_id": "acme", "reseller_id": "r2"}

other_m9 := {"id": "m9", "tenant_id": "other", "reseller_id": ""}

tenant_user := {
	"user_id": "u1", "tenant_id": "acme", "type": "TENANT", "reseller_id": "", "merchant_id": "",
	"status": "ACTIVE", "session_active": true,
	"role": {"id": "role1", "enabled": true, "acl": {"orders": "R", "refunds": "RW", "refund_approvals": "CHECKER"}},
	"merchants_access": [], "merchant_resellers": {}, "product_ids": [], "gateway_ref_ids": [],
}

reseller_user := object.union(tenant_user, {"user_id": "u2", "type": "RESELLER", "reseller_id": "r1"})

merchant_user := object.union(tenant_user, {"user_id": "u3", "type": "MERCHANT", "merchant_id": "m1"})

tenant_ctx := {"type": "TENANT", "id": "acme"}

req(module, action, m) := {
	"module": module, "action": action, "merchant": m, "merchant_id": object.get(m, "id", ""),
	"product_id": "", "gateway_ref_id": "", "maker_id": "",
}

decide(p, ctx, r) := d if {
	d := authz.decision with input as {"principal": p, "context": ctx, "request": r}
}

test_read_allowed_with_r if {
	d := decide(tenant_user, tenant_ctx, req("orders", "read", acme_m1))
	d.allow
	d.merchant_id == "m1"
}

test_write_needs_rw if {
	d := decide(tenant_user, tenant_ctx, req("orders", "write", acme_m1))
	not d.allow
	d.reasons == ["INSUFFICIENT_PERMISSION"]
}

test_missing_module_is_na if {
	not decide(tenant_user, tenant_ctx, req("settings", "read", {})).allow
}

test_checker_reads_and_approves_but_never_writes if {
	decide(tenant_user, tenant_ctx, req("refund_approvals", "read", {})).allow
	decide(tenant_user, tenant_ctx, req("refund_approvals", "approve", {})).allow
	not decide(tenant_user, tenant_ctx, req("refund_approvals", "write", {})).allow

	# RW never approves (the refund_approvals CHECKER above would: approval.rego)
	rw_only := object.union(object.remove(tenant_user, ["role"]), {"role": {"id": "role2", "enabled": true, "acl": {"refunds": "RW"}}})
	not decide(rw_only, tenant_ctx, req("refunds", "approve", {})).allow
}

test_self_approval_is_sod_violation if {
	r := object.union(req("refund_approvals", "approve", {}), {"maker_id": "u1"})
	decide(tenant_user, tenant_ctx, r).reasons == ["SOD_VIOLATION"]
}

test_principal_state_denies_first if {
	p := object.union(tenant_user, {"status": "DISABLED", "session_active": false, "role": {"id": "x", "enabled": false, "acl": {}}})
	decide(p, tenant_ctx, req("orders", "read", acme_m1)).reasons == ["ROLE_DISABLED", "SESSION_REVOKED", "USER_DISABLED"]
}

test_tenant_user_empty_access_reaches_all_tenant_merchants if {
	decide(tenant_user, tenant_ctx, req("orders", "read", acme_m2)).allow
	decide(tenant_user, tenant_ctx, req("orders", "read", acme_m3)).allow
	decide(tenant_user, tenant_ctx, req("orders", "read", other_m9)).reasons == ["MERCHANT_ACCESS_DENIED"]
}

test_tenant_user_listed_access if {
	p := object.union(tenant_user, {"merchants_access": ["m2"], "merchant_resellers": {"m2": "r1"}})
	decide(p, tenant_ctx, req("orders", "read", acme_m2)).allow
	not decide(p, tenant_ctx, req("orders", "read", acme_m1)).allow
	decide(p, tenant_ctx, req("orders", "read", {})).merchant_scope == "m2"
	decide(p, {"type": "RESELLER", "id": "r1"}, req("orders", "read", {})).merchant_scope == "m2"
	decide(p, {"type": "RESELLER", "id": "r2"}, req("orders", "read", {})).merchant_scope == ""
}

test_unknown_merchant_denied if {
	r := object.union(req("orders", "read", {}), {"merchant_id": "ghost"})
	decide(tenant_user, tenant_ctx, r).reasons == ["MERCHANT_ACCESS_DENIED"]
}

test_reseller_user_only_its_reseller if {
	ctx := {"type": "RESELLER", "id": "r1"}
	decide(reseller_user, ctx, req("orders", "read", acme_m2)).allow
	not decide(reseller_user, ctx, req("orders", "read", acme_m3)).allow
	not decide(reseller_user, ctx, req("orders", "read", acme_m1)).allow
	decide(reseller_user, ctx, req("orders", "read", {})).merchant_scope == "reseller:r1"
	not decide(reseller_user, {"type": "RESELLER", "id": "r2"}, req("orders", "read", {})).allow
}

test_merchant_context_is_fixed if {
	ctx := {"type": "MERCHANT", "id": "m1"}
	d := decide(merchant_user, ctx, req("orders", "read", acme_m1))
	d.allow
	d.merchant_id == "m1"
	r := object.union(req("orders", "read", acme_m1), {"merchant_id": "m2"})
	decide(merchant_user, ctx, r).reasons == ["MERCHANT_ACCESS_DENIED"]

	# Naming no merchant is fine: the gateway passes the context's record.
	unnamed := object.union(req("orders", "read", acme_m1), {"merchant_id": ""})
	decide(merchant_user, ctx, unnamed).allow
}

test_switched_context_loses_removed_access if {
	p := object.union(tenant_user, {"merchants_access": ["m2"], "merchant_resellers": {"m2": "r1"}})
	ctx := {"type": "MERCHANT", "id": "m1"}
	not decide(p, ctx, req("orders", "read", acme_m1)).allow
}

test_tenant_scope_star if {
	decide(tenant_user, tenant_ctx, req("orders", "read", {})).merchant_scope == "*"
}

test_product_and_gateway_restrictions if {
	p := object.union(tenant_user, {"product_ids": ["p1"], "gateway_ref_ids": ["g1"]})
	ok := object.union(req("orders", "read", acme_m1), {"product_id": "p1", "gateway_ref_id": "g1"})
	decide(p, tenant_ctx, ok).allow
	bad := object.union(req("orders", "read", acme_m1), {"product_id": "p2", "gateway_ref_id": "g2"})
	decide(p, tenant_ctx, bad).reasons == ["GATEWAY_RESTRICTED", "PRODUCT_RESTRICTED"]
	decide(tenant_user, tenant_ctx, bad).allow
}

test_wildcard_acl_covers_unlisted_modules if {
	p := object.union(tenant_user, {"role": {"id": "sys", "enabled": true, "acl": {"*": "RW", "audit": "R"}}})
	decide(p, tenant_ctx, req("anything", "write", acme_m1)).allow
	not decide(p, tenant_ctx, req("audit", "write", {})).allow
}
