package authz_test

import data.authz

checker(acl) := {
	"user_id": "c1", "tenant_id": "acme", "type": "TENANT", "reseller_id": "", "merchant_id": "",
	"status": "ACTIVE", "session_active": true,
	"role": {"id": "rc", "enabled": true, "acl": acl},
	"merchants_access": [], "merchant_resellers": {}, "product_ids": [], "gateway_ref_ids": [],
}

approve(module, m, maker, maker_ctx) := {
	"module": module, "action": "approve", "merchant": m, "merchant_id": m.id,
	"product_id": "", "gateway_ref_id": "", "maker_id": maker, "maker_context": maker_ctx,
}

# A stored request that named no merchant.
approve_unnamed(module, maker, maker_ctx) := {
	"module": module, "action": "approve", "merchant": null, "merchant_id": "",
	"product_id": "", "gateway_ref_id": "", "maker_id": maker, "maker_context": maker_ctx,
}

acme_ctx := {"type": "TENANT", "id": "acme"}

r1_ctx := {"type": "RESELLER", "id": "r1"}

decide_approval(p, ctx, r) := d if {
	d := authz.decision with input as {"principal": p, "context": ctx, "request": r}
}

test_checker_on_the_module_approves if {
	decide_approval(checker({"refunds": "CHECKER"}), acme_ctx, approve("refunds", acme_m1, "u9", acme_ctx)).allow
}

test_checker_on_the_paired_approval_module_approves if {
	decide_approval(checker({"refund_approvals": "CHECKER"}), acme_ctx, approve("refunds", acme_m1, "u9", acme_ctx)).allow
	not decide_approval(checker({"refund_approvals": "CHECKER"}), acme_ctx, approve("orders", acme_m1, "u9", acme_ctx)).allow
}

test_maker_level_does_not_approve if {
	d := decide_approval(checker({"refunds": "RW", "refund_approvals": "R"}), acme_ctx, approve("refunds", acme_m1, "u9", acme_ctx))
	d.reasons == ["INSUFFICIENT_PERMISSION"]
}

test_own_request_is_sod_violation_through_the_approval_module if {
	d := decide_approval(checker({"refund_approvals": "CHECKER"}), acme_ctx, approve("refunds", acme_m1, "c1", acme_ctx))
	d.reasons == ["SOD_VIOLATION"]
}

test_merchant_outside_access_is_denied if {
	p := object.union(checker({"refunds": "CHECKER"}), {"merchants_access": ["m1"]})
	d := decide_approval(p, acme_ctx, approve("refunds", acme_m2, "u9", acme_ctx))
	d.reasons == ["MERCHANT_ACCESS_DENIED"]
}

test_request_without_merchant_needs_a_covering_context if {
	p := object.union(checker({"refunds": "CHECKER"}), {"type": "RESELLER", "reseller_id": "r1"})

	# the tenant context covers every maker context
	decide_approval(checker({"refunds": "CHECKER"}), acme_ctx, approve_unnamed("refunds", "u9", r1_ctx)).allow

	# the same reseller context
	decide_approval(p, r1_ctx, approve_unnamed("refunds", "u9", r1_ctx)).allow

	# a reseller checker never decides a tenant-wide request, nor one without a maker context
	decide_approval(p, r1_ctx, approve_unnamed("refunds", "u9", acme_ctx)).reasons == ["MERCHANT_ACCESS_DENIED"]
	r := object.remove(approve_unnamed("refunds", "u9", acme_ctx), ["maker_context"])
	decide_approval(p, r1_ctx, r).reasons == ["MERCHANT_ACCESS_DENIED"]
}

raise_check(acl, previous) := r if {
	r := authz.role_check with input as {"acl": acl, "actor_acl": null, "previous_acl": previous}
}

test_raised_lists_modules_that_gain_an_action if {
	raise_check({"orders": "RW", "refunds": "R", "users": "CHECKER"}, {"orders": "R", "refunds": "RW", "users": "R"}).raised == ["orders", "users"]
}

test_lowering_or_removing_raises_nothing if {
	raise_check({"orders": "R"}, {"orders": "RW", "refunds": "CHECKER"}).raised == []
}

test_wildcards_are_compared if {
	raise_check({"*": "RW", "orders": "R"}, {"*": "R", "orders": "R"}).raised == ["*"]
	raise_check({"refunds": "RW"}, {"*": "RW"}).raised == []
	raise_check({"refunds": "RW"}, {"*": "R"}).raised == ["refunds"]
}

test_no_previous_acl_raises_nothing if {
	authz.role_check.raised == [] with input as {"acl": {"orders": "RW"}, "actor_acl": null}
}

test_nobody_decides_an_action_about_themselves if {
	p := checker({"user_hard_delete": "CHECKER", "roles": "CHECKER"})
	delete_me := object.union(approve_unnamed("user_hard_delete", "u9", acme_ctx), {"target_user_id": "c1"})
	decide_approval(p, acme_ctx, delete_me).reasons == ["SOD_VIOLATION"]
	raise_mine := object.union(approve_unnamed("roles", "u9", acme_ctx), {"target_role_id": "rc"})
	decide_approval(p, acme_ctx, raise_mine).reasons == ["SOD_VIOLATION"]
	others := object.union(approve_unnamed("roles", "u9", acme_ctx), {"target_user_id": "u8", "target_role_id": "r8"})
	decide_approval(p, acme_ctx, others).allow
}
