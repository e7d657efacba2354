package authz_test

import data.authz

check(acl, actor) := d if {
	d := authz.role_check with input as {"acl": acl, "actor_acl": actor}
}

test_sod_pair_detected if {
	r := check({"refunds": "RW", "refund_approvals": "CHECKER"}, null)
	r.sod_violations == ["refund-maker-checker"]
}

test_one_side_is_fine if {
	check({"refunds": "RW", "refund_approvals": "R"}, null).sod_violations == []
}

test_pairs_come_from_data if {
	pairs := [{"name": "orders-vs-settings", "a": {"module": "orders", "level": "RW"}, "b": {"module": "settings", "level": "R"}}]
	r := authz.role_check with input as {"acl": {"orders": "RW", "settings": "RW"}, "actor_acl": null}
		with data.authz_config.sod_pairs as pairs
	r.sod_violations == ["orders-vs-settings"]
}

test_escalation_detected if {
	r := check({"orders": "RW", "refunds": "R", "refund_approvals": "CHECKER"}, {"orders": "R", "refunds": "RW"})
	r.escalations == ["orders", "refund_approvals"]
}

test_no_escalation_within_own_levels if {
	check({"orders": "R", "refunds": "NA"}, {"orders": "RW"}).escalations == []
}

test_audit_is_read_only if {
	check({"audit": "RW"}, null).over_ceiling == ["audit"]
	check({"audit": "R"}, null).over_ceiling == []
}

test_wildcard_role_escalates_over_explicit_actor_levels if {
	# The Reseller Admin's wildcard grants `tenants`, which this actor holds at NA.
	r := check({"*": "R"}, {"*": "RW", "tenants": "NA"})
	r.escalations == ["tenants"]
}

test_wildcard_role_within_wildcard_actor if {
	check({"*": "RW", "audit": "R"}, {"*": "RW", "audit": "R", "user_hard_delete": "RW"}).escalations == []
	check({"*": "RW"}, {"users": "RW"}).escalations == ["*"]
}

test_module_administrator_may_appoint_checkers if {
	check({"refund_approvals": "CHECKER"}, {"*": "RW"}).escalations == []
	check({"refund_approvals": "CHECKER"}, {"refund_approvals": "CHECKER"}).escalations == []
	check({"refund_approvals": "CHECKER"}, {"refund_approvals": "R"}).escalations == ["refund_approvals"]
}

# ---- Finding 19: a missing or mistyped actor ACL or ACL is never "no escalation".

test_missing_or_mistyped_actor_acl_escalates if {
	r := authz.role_check with input as {"acl": {"orders": "R"}}
	not r.allow
	r.escalations == ["*"]
	every bad in ["RW", [], 1, {"orders": 1}, {"orders": "rw"}] {
		d := authz.role_check with input as {"acl": {"orders": "R"}, "actor_acl": bad}
		not d.allow
		d.escalations == ["*"]
	}
}

test_mistyped_acl_is_refused if {
	every bad in [null, "RW", [], {"orders": 1}, {"orders": "write"}, {"orders": null}] {
		d := authz.role_check with input as {"acl": bad, "actor_acl": {"*": "RW"}}
		not d.allow
		d.invalid
	}
}

test_well_formed_role_check_allows if {
	authz.role_check.allow with input as {"acl": {"orders": "R"}, "actor_acl": {"orders": "RW"}}
	authz.role_check.allow with input as {"acl": {"orders": "R"}, "actor_acl": null}
	not authz.role_check.allow with input as {"acl": {"orders": "RW", "refunds": "R"}, "actor_acl": {"orders": "R"}}
	not authz.role_check.allow with input as {"acl": {"refunds": "RW", "refund_approvals": "CHECKER"}, "actor_acl": null}
}
