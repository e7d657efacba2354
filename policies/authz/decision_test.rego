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

# `{}` for "no merchant record" (null in the input).
req(module, action, m) := {
	"module": module, "action": action, "merchant": record_or_null(m), "merchant_id": object.get(m, "id", ""),
	"product_id": "", "gateway_ref_id": "", "product_required": false, "gateway_ref_required": false,
	"maker_id": "",
}

record_or_null(m) := null if m == {}

record_or_null(m) := m if m != {}

approve_req(module, m, maker) := object.union(req(module, "approve", m), {
	"maker_id": maker, "maker_context": tenant_ctx, "made_at": 1000, "checker_appointments": [],
	"product_required": true, "gateway_ref_required": true,
})

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
	decide(tenant_user, tenant_ctx, approve_req("refund_approvals", {}, "u9")).allow
	not decide(tenant_user, tenant_ctx, req("refund_approvals", "write", {})).allow

	# RW never approves (the refund_approvals CHECKER above would: approval.rego)
	rw_only := object.union(object.remove(tenant_user, ["role"]), {"role": {"id": "role2", "enabled": true, "acl": {"refunds": "RW"}}})
	not decide(rw_only, tenant_ctx, approve_req("refunds", {}, "u9")).allow
}

test_self_approval_is_sod_violation if {
	r := approve_req("refund_approvals", {}, "u1")
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

# Finding 16 (and 8): only a context the principal could switch into now.
test_context_must_be_reachable_now if {
	r := req("orders", "read", {})
	r1 := {"type": "RESELLER", "id": "r1"}

	# a RESELLER or MERCHANT user in a TENANT context
	decide(reseller_user, tenant_ctx, r).reasons == ["CONTEXT_FORBIDDEN"]
	decide(merchant_user, tenant_ctx, req("orders", "read", acme_m1)).reasons == ["CONTEXT_FORBIDDEN"]

	# another tenant's context, an unknown or lower-case type
	decide(tenant_user, {"type": "TENANT", "id": "other"}, r).reasons == ["CONTEXT_FORBIDDEN"]
	decide(tenant_user, {"type": "tenant", "id": "acme"}, r).reasons == ["INVALID_INPUT"]
	decide(tenant_user, {"type": "GLOBAL", "id": "acme"}, r).reasons == ["INVALID_INPUT"]

	# no context at all
	not authz.decision.allow with input as {"principal": tenant_user, "request": r}

	# a tenant user limited to a direct merchant, sitting in a reseller context (finding 8: access moved)
	direct_only := object.union(tenant_user, {"merchants_access": ["m1"], "merchant_resellers": {"m1": ""}})
	decide(direct_only, r1, object.union(req("orders", "write", {}), {"module": "refunds"})).reasons == ["CONTEXT_FORBIDDEN"]
	moved := object.union(tenant_user, {"merchants_access": ["m3"], "merchant_resellers": {"m3": "r2"}})
	decide(moved, r1, r).reasons == ["CONTEXT_FORBIDDEN"]
	decide(moved, {"type": "RESELLER", "id": "r2"}, r).allow

	# a merchant user in another merchant's context; a tenant user in a merchant context outside its list
	"CONTEXT_FORBIDDEN" in decide(merchant_user, {"type": "MERCHANT", "id": "m2"}, req("orders", "read", acme_m2)).reasons
	"CONTEXT_FORBIDDEN" in decide(direct_only, {"type": "MERCHANT", "id": "m2"}, req("orders", "read", acme_m2)).reasons
	decide(direct_only, {"type": "MERCHANT", "id": "m1"}, req("orders", "read", acme_m1)).allow

	# a reseller user in a merchant context of another reseller, or in its own
	"CONTEXT_FORBIDDEN" in decide(reseller_user, {"type": "MERCHANT", "id": "m3"}, req("orders", "read", acme_m3)).reasons
	decide(reseller_user, {"type": "MERCHANT", "id": "m2"}, req("orders", "read", acme_m2)).allow

	# a MERCHANT context needs its merchant record
	decide(merchant_user, {"type": "MERCHANT", "id": "m1"}, req("orders", "read", {})).reasons == ["CONTEXT_FORBIDDEN", "MERCHANT_ACCESS_DENIED"]
}

# Finding 6: a route that locates a product (gateway reference) requires one
# from a restricted user; the allowed sets go upstream.
test_restricted_user_must_name_a_product_where_the_route_locates_one if {
	p := object.union(tenant_user, {"product_ids": ["p2", "p1"], "gateway_ref_ids": ["g1"]})
	located := object.union(req("orders", "read", acme_m1), {"product_required": true, "gateway_ref_required": true})
	decide(p, tenant_ctx, located).reasons == ["GATEWAY_RESTRICTED", "PRODUCT_RESTRICTED"]
	decide(tenant_user, tenant_ctx, located).allow

	# a route that locates none cannot check: the upstream filters by the scopes
	d := decide(p, tenant_ctx, req("orders", "read", acme_m1))
	d.allow
	d.product_scope == "p1,p2"
	d.gateway_ref_scope == "g1"
	u := decide(tenant_user, tenant_ctx, req("orders", "read", acme_m1))
	u.product_scope == "*"
	u.gateway_ref_scope == "*"
}

# Finding 19: missing or mistyped facts deny; nothing counts as "unrestricted"
# or "active" by being absent.
test_malformed_facts_deny if {
	r := req("orders", "read", acme_m1)
	decide(tenant_user, tenant_ctx, r).allow
	every key in ["user_id", "tenant_id", "type", "status", "session_active", "role", "merchants_access", "merchant_resellers", "product_ids", "gateway_ref_ids"] {
		decide(object.remove(tenant_user, [key]), tenant_ctx, r).reasons == ["INVALID_INPUT"]
	}
	every bad in [
		{"session_active": "true"}, {"session_active": 1},
		{"role": {"id": "role1", "enabled": "false", "acl": {"orders": "R"}}},
		{"role": {"id": "role1", "enabled": 0, "acl": {"orders": "R"}}},
		{"role": {"id": "role1", "enabled": {}, "acl": {"orders": "R"}}},
		{"role": {"id": "role1", "enabled": true, "acl": null}},
		{"role": {"id": "role1", "enabled": true, "acl": ["orders"]}},
		{"role": {"id": "role1", "enabled": true, "acl": {"orders": "rw"}}},
		{"merchants_access": ""}, {"merchants_access": {}}, {"merchants_access": [""]},
		{"product_ids": ""}, {"product_ids": null}, {"gateway_ref_ids": {}},
		{"merchant_resellers": []}, {"tenant_id": ""}, {"status": null},
		{"type": "RESELLER"}, {"type": "MERCHANT"},
	] {
		decide(object.union(tenant_user, bad), tenant_ctx, r).reasons == ["INVALID_INPUT"]
	}
	every key in ["module", "action", "merchant", "merchant_id", "product_id", "gateway_ref_id", "product_required", "gateway_ref_required", "maker_id"] {
		decide(tenant_user, tenant_ctx, object.remove(r, [key])).reasons == ["INVALID_INPUT"]
	}
	every bad in [{"action": "delete"}, {"merchant": {"id": "m1", "tenant_id": 5, "reseller_id": ""}}, {"merchant": []}, {"product_required": "false"}, {"merchant_id": null}] {
		decide(tenant_user, tenant_ctx, object.union(r, bad)).reasons == ["INVALID_INPUT"]
	}
	not authz.decision.allow with input as {"principal": tenant_user, "context": tenant_ctx}
	not authz.decision.allow with input as {}
	not authz.decision.allow with input as []
}

# Finding 20: every record used is compared with the principal's tenant.
test_records_of_another_tenant_are_never_used if {
	other_m1 := {"id": "m1", "tenant_id": "other", "reseller_id": ""}
	ctx := {"type": "MERCHANT", "id": "m1"}
	not decide(merchant_user, ctx, req("orders", "read", other_m1)).allow
	not decide(tenant_user, ctx, req("orders", "read", other_m1)).allow

	# a listed id that is not the tenant's (no reseller entry) never reaches a scope
	p := object.union(tenant_user, {"merchants_access": ["m1", "m9"], "merchant_resellers": {"m1": ""}})
	decide(p, tenant_ctx, req("orders", "read", {})).merchant_scope == "m1"
	not decide(p, tenant_ctx, req("orders", "read", other_m9)).allow
}
