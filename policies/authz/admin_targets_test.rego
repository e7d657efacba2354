package authz_test

import data.authz

acting(p, ctx, op, facts) := d if {
	d := authz.admin with input as object.union({"principal": p, "context": ctx, "operation": op}, facts)
}

reseller_ctx := {"type": "RESELLER", "id": "r1"}

reseller_admin := object.union(admin_user, {"user_id": "u2", "type": "RESELLER", "reseller_id": "r1"})

other_user := {"id": "u9", "type": "TENANT", "tenant_id": "acme", "reseller_id": "", "merchant_id": "", "role": {"acl": {}}}

reseller_target := object.union(other_user, {"type": "RESELLER", "reseller_id": "r1"})

test_nobody_modifies_themselves if {
	me := object.union(other_user, {"id": "u1"})
	acting(admin_user, tenant_ctx, "users.update", {"target": me}).reasons == ["SELF_MODIFICATION"]
	acting(admin_user, tenant_ctx, "users.hard_delete", {"target": me}).reasons == ["FORBIDDEN", "SELF_MODIFICATION"]
	acting(admin_user, tenant_ctx, "users.update", {"target": other_user}).allow

	# Reading oneself is fine.
	acting(admin_user, tenant_ctx, "users.read", {"target": me}).allow
}

test_target_of_another_tenant_is_forbidden if {
	t := object.union(other_user, {"tenant_id": "other"})
	acting(admin_user, tenant_ctx, "users.update", {"target": t}).reasons == ["FORBIDDEN"]
}

test_granted_merchants_must_be_reachable if {
	p := object.union(admin_user, {"merchants_access": ["m1"]})
	acting(p, tenant_ctx, "users.merchant_access.update", {"target": other_user, "merchants": [acme_m1]}).allow
	refused := acting(p, tenant_ctx, "users.merchant_access.update", {"target": other_user, "merchants": [acme_m1, acme_m2]})
	refused.reasons == ["MERCHANT_OUT_OF_SCOPE"]
	acting(admin_user, tenant_ctx, "users.update", {"target": other_user, "merchants": [other_m9]}).reasons == ["MERCHANT_OUT_OF_SCOPE"]
}

test_reseller_user_access_stays_under_its_reseller if {
	acting(admin_user, tenant_ctx, "users.merchant_access.update", {"target": reseller_target, "merchants": [acme_m2]}).allow
	r := acting(admin_user, tenant_ctx, "users.merchant_access.update", {"target": reseller_target, "merchants": [acme_m3]})
	r.reasons == ["MERCHANT_OUT_OF_SCOPE"]

	# In its own context a reseller admin reaches only its reseller's merchants.
	acting(reseller_admin, reseller_ctx, "users.merchant_access.update", {"target": reseller_target, "merchants": [acme_m2]}).allow
	acting(reseller_admin, reseller_ctx, "users.merchant_access.update", {"target": reseller_target, "merchants": [acme_m1]}).reasons == ["MERCHANT_OUT_OF_SCOPE"]
}

test_all_merchants_only_from_an_unrestricted_actor if {
	acting(admin_user, tenant_ctx, "users.create.TENANT", {"target": other_user, "merchants": []}).allow
	p := object.union(admin_user, {"merchants_access": ["m1"]})
	acting(p, tenant_ctx, "users.create.TENANT", {"target": other_user, "merchants": []}).reasons == ["MERCHANT_OUT_OF_SCOPE"]

	# A merchant user never holds a list: [] is just its own merchant.
	merchant_target := object.union(other_user, {"type": "MERCHANT", "merchant_id": "m1", "merchant": acme_m1})
	acting(p, tenant_ctx, "users.create.MERCHANT", {"target": merchant_target, "merchants": []}).allow
}

test_restrictions_within_the_actors if {
	acting(admin_user, tenant_ctx, "users.update", {"restrictions": {"product_ids": [], "gateway_ref_ids": ["g1"]}}).allow
	p := object.union(admin_user, {"product_ids": ["p1", "p2"]})
	acting(p, tenant_ctx, "users.update", {"restrictions": {"product_ids": ["p2"], "gateway_ref_ids": []}}).allow
	acting(p, tenant_ctx, "users.update", {"restrictions": {"product_ids": [], "gateway_ref_ids": []}}).reasons == ["PRIVILEGE_ESCALATION"]
	acting(p, tenant_ctx, "users.update", {"restrictions": {"product_ids": ["p3"], "gateway_ref_ids": []}}).reasons == ["PRIVILEGE_ESCALATION"]
}

role_admin := object.union(admin_user, {"role": {"id": "ra", "enabled": true, "acl": {"roles": "RW"}}})

tenant_role := {"id": "x", "tenant_id": "acme", "system": false, "owner_type": "TENANT", "owner_id": "acme", "owner_reseller_id": "", "acl": {"roles": "R"}}

test_system_roles_are_read_only if {
	sys := object.union(tenant_role, {"system": true})
	acting(role_admin, tenant_ctx, "roles.write", {"role": sys}).reasons == ["FORBIDDEN"]
	acting(role_admin, tenant_ctx, "roles.disable", {"role": sys}).reasons == ["FORBIDDEN"]
	acting(role_admin, tenant_ctx, "roles.write", {"role": tenant_role}).allow
}

test_roles_defined_higher_up_are_read_only if {
	p := object.union(role_admin, {"type": "RESELLER", "reseller_id": "r1"})
	acting(p, reseller_ctx, "roles.write", {"role": tenant_role}).reasons == ["FORBIDDEN"]
	own := object.union(tenant_role, {"owner_type": "RESELLER", "owner_id": "r1"})
	acting(p, reseller_ctx, "roles.write", {"role": own}).allow
	of_my_merchant := object.union(tenant_role, {"owner_type": "MERCHANT", "owner_id": "m2", "owner_reseller_id": "r1"})
	acting(p, reseller_ctx, "roles.write", {"role": of_my_merchant}).allow
	of_another := object.union(of_my_merchant, {"owner_reseller_id": "r2"})
	acting(p, reseller_ctx, "roles.write", {"role": of_another}).reasons == ["FORBIDDEN"]

	# The tenant context manages every role of its tenant, never another tenant's.
	acting(role_admin, tenant_ctx, "roles.write", {"role": of_another}).allow
	foreign := object.union(tenant_role, {"tenant_id": "other"})
	acting(role_admin, tenant_ctx, "roles.write", {"role": foreign}).reasons == ["FORBIDDEN"]
}

test_nobody_disables_their_own_role if {
	mine := object.union(tenant_role, {"id": "ra"})
	acting(role_admin, tenant_ctx, "roles.disable", {"role": mine}).reasons == ["SELF_MODIFICATION"]
	acting(role_admin, tenant_ctx, "roles.write", {"role": mine}).allow
}

test_role_creation_by_scope if {
	acting(role_admin, tenant_ctx, "roles.create.TENANT", {}).allow
	p := object.union(role_admin, {"type": "RESELLER", "reseller_id": "r1"})
	acting(p, reseller_ctx, "roles.create.TENANT", {}).reasons == ["FORBIDDEN"]
	acting(p, reseller_ctx, "roles.create.MERCHANT", {}).allow
	m := object.union(role_admin, {"type": "MERCHANT", "merchant_id": "m1"})
	acting(m, {"type": "MERCHANT", "id": "m1"}, "roles.create.RESELLER", {}).reasons == ["FORBIDDEN"]
}

# ---- Findings 1, 2: nobody acts on a user or role that grants more than they hold.

user_admin := object.union(admin_user, {"role": {"id": "ua", "enabled": true, "acl": {"users": "RW", "roles": "R", "user_hard_delete": "RW", "tenants": "RW"}}})

strong_user := object.union(other_user, {"role": {"acl": {"*": "RW", "audit": "R"}}})

weak_user := object.union(other_user, {"role": {"acl": {"users": "R"}}})

test_actor_below_target_user_is_refused if {
	every op in ["users.update", "users.merchant_access.update", "users.hard_delete"] {
		acting(user_admin, tenant_ctx, op, {"target": strong_user}).reasons == ["PRIVILEGE_ESCALATION"]
	}
}

test_actor_at_or_above_target_user_is_allowed if {
	every op in ["users.update", "users.merchant_access.update", "users.hard_delete"] {
		acting(user_admin, tenant_ctx, op, {"target": weak_user}).allow
	}
}

test_target_user_without_a_readable_role_is_refused if {
	every bad in [null, "RW", [], {"users": 2}, {"users": "rw"}] {
		not acting(user_admin, tenant_ctx, "users.update", {"target": object.union(other_user, {"role": {"acl": bad}})}).allow
	}
	not acting(user_admin, tenant_ctx, "users.update", {"target": object.remove(weak_user, ["role"])}).allow
}

# A user being created has no role yet: the assigned role is checked by authz/role_check.
test_new_user_needs_no_target_role if {
	acting(user_admin, tenant_ctx, "users.create.TENANT", {"target": object.union(object.remove(other_user, ["role"]), {"id": ""})}).allow
}

strong_role := object.union(tenant_role, {"acl": {"*": "RW"}})

test_actor_below_target_role_is_refused if {
	every op in ["roles.write", "roles.disable"] {
		acting(role_admin, tenant_ctx, op, {"role": strong_role}).reasons == ["PRIVILEGE_ESCALATION"]
	}
	acting(role_admin, tenant_ctx, "roles.write", {"role": object.union(tenant_role, {"acl": {"roles": "R"}})}).allow
	not acting(role_admin, tenant_ctx, "roles.write", {"role": object.union(tenant_role, {"acl": null})}).allow
	not acting(role_admin, tenant_ctx, "roles.write", {"role": object.remove(tenant_role, ["acl"])}).allow
}

# ---- Finding 17: the creation and management table of docs/domain.md#creation.

r1_merchant_user := object.union(other_user, {"type": "MERCHANT", "reseller_id": "r1", "merchant_id": "m2", "merchant": acme_m2, "role": {"acl": {"users": "R"}}})

r2_merchant_user := object.union(other_user, {"type": "MERCHANT", "reseller_id": "r2", "merchant_id": "m3", "merchant": acme_m3, "role": {"acl": {"users": "R"}}})

test_reseller_context_manages_only_its_reseller_users if {
	acting(reseller_admin, reseller_ctx, "users.update", {"target": r1_merchant_user}).allow
	acting(reseller_admin, reseller_ctx, "users.update", {"target": object.union(reseller_target, {"role": {"acl": {}}})}).allow
	acting(reseller_admin, reseller_ctx, "users.merchant_access.update", {"target": weak_user, "merchants": [acme_m2]}).reasons == ["FORBIDDEN"]
	acting(reseller_admin, reseller_ctx, "users.update", {"target": r2_merchant_user}).reasons == ["FORBIDDEN", "MERCHANT_OUT_OF_SCOPE"]
	other_reseller := object.union(reseller_target, {"reseller_id": "r2", "role": {"acl": {}}})
	acting(reseller_admin, reseller_ctx, "users.update", {"target": other_reseller}).reasons == ["FORBIDDEN"]
	acting(reseller_admin, reseller_ctx, "users.create.RESELLER", {"target": object.union(other_reseller, {"id": ""})}).reasons == ["FORBIDDEN"]
}

merchant_admin := object.union(admin_user, {"user_id": "u3", "type": "MERCHANT", "reseller_id": "r1", "merchant_id": "m2", "role": {"id": "ma", "enabled": true, "acl": {"users": "RW", "user_hard_delete": "RW"}}})

m2_ctx := {"type": "MERCHANT", "id": "m2"}

test_merchant_context_manages_only_its_merchant_users if {
	acting(merchant_admin, m2_ctx, "users.update", {"target": r1_merchant_user}).allow
	acting(merchant_admin, m2_ctx, "users.hard_delete", {"target": weak_user}).reasons == ["FORBIDDEN"]
	acting(merchant_admin, m2_ctx, "users.update", {"target": r2_merchant_user}).reasons == ["FORBIDDEN", "MERCHANT_OUT_OF_SCOPE"]
}

test_no_merchant_list_for_a_merchant_user if {
	acting(admin_user, tenant_ctx, "users.merchant_access.update", {"target": r1_merchant_user, "merchants": [acme_m2]}).reasons == ["FORBIDDEN"]
}

# ---- Finding 20: a record is used only when it is of the caller's tenant.

test_records_of_another_tenant_are_refused if {
	m1_admin := object.union(merchant_admin, {"merchant_id": "m1", "reseller_id": ""})
	foreign_m1 := {"id": "m1", "tenant_id": "other", "reseller_id": ""}
	not acting(m1_admin, {"type": "MERCHANT", "id": "m1"}, "merchants.read", {"merchant": foreign_m1}).allow
	acting(m1_admin, {"type": "MERCHANT", "id": "m1"}, "merchants.read", {"merchant": acme_m1}).allow
	foreign_target := object.union(r1_merchant_user, {"merchant": object.union(acme_m2, {"tenant_id": "other"})})
	not acting(merchant_admin, m2_ctx, "users.update", {"target": foreign_target}).allow
	not acting(user_admin, tenant_ctx, "users.update", {"target": object.remove(weak_user, ["tenant_id"])}).allow
	not acting(role_admin, tenant_ctx, "roles.write", {"role": object.remove(tenant_role, ["tenant_id"])}).allow
}
