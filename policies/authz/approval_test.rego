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
	"product_id": "", "gateway_ref_id": "", "product_required": true, "gateway_ref_required": true,
	"maker_id": maker, "maker_context": maker_ctx, "made_at": 1000, "checker_appointments": [],
}

# A stored request that named no merchant.
approve_unnamed(module, maker, maker_ctx) := {
	"module": module, "action": "approve", "merchant": null, "merchant_id": "",
	"product_id": "", "gateway_ref_id": "", "product_required": true, "gateway_ref_required": true,
	"maker_id": maker, "maker_context": maker_ctx, "made_at": 1000, "checker_appointments": [],
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

	# a reseller checker never decides a tenant-wide request; without a maker context the input is malformed
	decide_approval(p, r1_ctx, approve_unnamed("refunds", "u9", acme_ctx)).reasons == ["MERCHANT_ACCESS_DENIED"]
	r := object.remove(approve_unnamed("refunds", "u9", acme_ctx), ["maker_context"])
	decide_approval(p, r1_ctx, r).reasons == ["INVALID_INPUT"]
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

# Finding 4: checker coverage is what the held request will do upstream. A
# request naming no merchant made in the TENANT context acts on `*`; one made in
# a RESELLER context on every merchant of that reseller.
test_merchant_restricted_checker_never_covers_an_unnamed_request if {
	listed := object.union(checker({"refunds": "CHECKER"}), {"merchants_access": ["m1"], "merchant_resellers": {"m1": ""}})
	decide_approval(listed, acme_ctx, approve_unnamed("refunds", "u9", acme_ctx)).reasons == ["MERCHANT_ACCESS_DENIED"]
	decide_approval(listed, acme_ctx, approve_unnamed("refunds", "u9", r1_ctx)).reasons == ["MERCHANT_ACCESS_DENIED"]

	# a tenant checker listed on a merchant of r1, in r1's context, still does not cover all of r1
	in_r1 := object.union(checker({"refunds": "CHECKER"}), {"merchants_access": ["m2"], "merchant_resellers": {"m2": "r1"}})
	decide_approval(in_r1, r1_ctx, approve_unnamed("refunds", "u9", r1_ctx)).reasons == ["MERCHANT_ACCESS_DENIED"]

	# a listed reseller checker does not cover its reseller either
	reseller_listed := object.union(checker({"refunds": "CHECKER"}), {"type": "RESELLER", "reseller_id": "r1", "merchants_access": ["m2"], "merchant_resellers": {"m2": "r1"}})
	decide_approval(reseller_listed, r1_ctx, approve_unnamed("refunds", "u9", r1_ctx)).reasons == ["MERCHANT_ACCESS_DENIED"]

	# ... but each still decides a request naming its own merchant
	decide_approval(listed, acme_ctx, approve("refunds", acme_m1, "u9", acme_ctx)).allow
	decide_approval(reseller_listed, r1_ctx, approve("refunds", acme_m2, "u9", r1_ctx)).allow
}

test_unnamed_tenant_request_needs_the_maker_tenant if {
	other_tenant := {"type": "TENANT", "id": "other"}
	decide_approval(checker({"refunds": "CHECKER"}), acme_ctx, approve_unnamed("refunds", "u9", other_tenant)).reasons == ["MERCHANT_ACCESS_DENIED"]
}

# Finding 18: a checker in a MERCHANT context never decides a request naming no
# merchant, even when the merchant record of its context is supplied.
test_merchant_context_checker_never_covers_an_unnamed_request if {
	m1_ctx := {"type": "MERCHANT", "id": "m1"}
	r := object.union(approve_unnamed("refunds", "u9", acme_ctx), {"merchant": acme_m1})
	not decide_approval(checker({"refunds": "CHECKER"}), m1_ctx, r).allow
	mu := object.union(checker({"refunds": "CHECKER"}), {"type": "MERCHANT", "merchant_id": "m1"})
	not decide_approval(mu, m1_ctx, r).allow
	r2 := object.union(approve_unnamed("refunds", "u9", m1_ctx), {"merchant": acme_m1})
	not decide_approval(mu, m1_ctx, r2).allow

	# a request naming the context's merchant is the merchant checker's to decide
	decide_approval(mu, m1_ctx, approve("refunds", acme_m1, "u9", m1_ctx)).allow
}

# Finding 5: nobody decides a request whose maker appointed the checker after
# making it (invited it, gave it its role, created or edited that role).
test_checker_appointed_by_the_maker_after_the_request_is_sod if {
	p := checker({"refunds": "CHECKER"})
	invited := object.union(approve("refunds", acme_m1, "u9", acme_ctx), {"checker_appointments": [{"by": "u9", "at": 1500, "what": "user.invite"}]})
	decide_approval(p, acme_ctx, invited).reasons == ["SOD_VIOLATION"]
	role_made := object.union(approve("refunds", acme_m1, "u9", acme_ctx), {"checker_appointments": [{"by": "u9", "at": 1000, "what": "role.create"}]})
	decide_approval(p, acme_ctx, role_made).reasons == ["SOD_VIOLATION"]

	# someone else appointed it, or the maker did before making the request
	by_other := object.union(approve("refunds", acme_m1, "u9", acme_ctx), {"checker_appointments": [{"by": "u8", "at": 1500, "what": "user.role.update"}]})
	decide_approval(p, acme_ctx, by_other).allow
	before := object.union(approve("refunds", acme_m1, "u9", acme_ctx), {"checker_appointments": [{"by": "u9", "at": 999, "what": "user.invite"}]})
	decide_approval(p, acme_ctx, before).allow
}

# Finding 19: an approval without its facts denies.
test_approval_facts_are_required_and_typed if {
	p := checker({"refunds": "CHECKER"})
	base := approve("refunds", acme_m1, "u9", acme_ctx)
	every key in ["maker_id", "maker_context", "made_at", "checker_appointments"] {
		decide_approval(p, acme_ctx, object.remove(base, [key])).reasons == ["INVALID_INPUT"]
	}
	every bad in [{"maker_id": ""}, {"maker_id": 7}, {"made_at": "1000"}, {"checker_appointments": {}}, {"checker_appointments": [{"by": "u9"}]}, {"maker_context": {"type": "tenant", "id": "acme"}}, {"target_user_id": 5}] {
		decide_approval(p, acme_ctx, object.union(base, bad)).reasons == ["INVALID_INPUT"]
	}
}
