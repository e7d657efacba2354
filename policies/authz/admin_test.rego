package authz_test

import data.authz

admin_user := object.union(tenant_user, {"role": {"id": "ta", "enabled": true, "acl": {"users": "RW", "resellers": "RW", "tenants": "RW", "merchants": "R"}}})

admin(p, ctx, op) := d if {
	d := authz.admin with input as {"principal": p, "context": ctx, "operation": op}
}

test_creation_table_tenant if {
	admin(admin_user, tenant_ctx, "resellers.create").allow
	admin(admin_user, tenant_ctx, "users.create.TENANT").allow
	admin(admin_user, tenant_ctx, "users.create.MERCHANT").allow
	not admin(admin_user, tenant_ctx, "merchants.create").allow
}

test_creation_table_reseller if {
	p := object.union(admin_user, {"type": "RESELLER", "reseller_id": "r1"})
	ctx := {"type": "RESELLER", "id": "r1"}
	not admin(p, ctx, "resellers.create").allow
	not admin(p, ctx, "users.create.TENANT").allow
	admin(p, ctx, "users.create.RESELLER").allow
	admin(p, ctx, "users.create.MERCHANT").allow
}

test_creation_table_merchant if {
	p := object.union(admin_user, {"type": "MERCHANT", "merchant_id": "m1"})
	ctx := {"type": "MERCHANT", "id": "m1"}
	admin(p, ctx, "users.create.MERCHANT").allow
	not admin(p, ctx, "users.create.RESELLER").allow
	admin(p, ctx, "users.merchant_access.update").reasons == ["FORBIDDEN"]
}

test_unknown_operation_forbidden if {
	admin(admin_user, tenant_ctx, "tenants.destroy").reasons == ["FORBIDDEN"]
}

test_admin_merchant_scope if {
	p := object.union(admin_user, {"merchants_access": ["m1"]})
	allowed := authz.admin with input as {"principal": p, "context": tenant_ctx, "operation": "merchants.read", "merchant": acme_m1}
	allowed.allow
	refused := authz.admin with input as {"principal": p, "context": tenant_ctx, "operation": "merchants.read", "merchant": acme_m2}
	refused.reasons == ["MERCHANT_OUT_OF_SCOPE"]
}

test_admin_inactive_principal if {
	p := object.union(admin_user, {"status": "DISABLED"})
	admin(p, tenant_ctx, "users.read").reasons == ["USER_DISABLED"]
}

# ---- Finding 15: a role whose ACL is not an object grants nothing.

test_non_object_acl_allows_nothing if {
	every acl in [null, [], "RW", {"users": 2}, {"users": "rw"}, {"users": null}] {
		p := object.union(admin_user, {"role": {"acl": null}})
		q := json.patch(p, [{"op": "replace", "path": "/role/acl", "value": acl}])
		every op in ["users.read", "users.update", "roles.write", "tenants.read"] {
			not admin(q, tenant_ctx, op).allow
		}
	}
	p := json.patch(admin_user, [{"op": "remove", "path": "/role/acl"}])
	not admin(p, tenant_ctx, "users.read").allow
}

# ---- Finding 19: a missing or mistyped fact denies.

test_mistyped_principal_facts_deny if {
	every patch in [
		{"op": "replace", "path": "/session_active", "value": "false"},
		{"op": "replace", "path": "/session_active", "value": 0},
		{"op": "replace", "path": "/session_active", "value": {}},
		{"op": "remove", "path": "/session_active"},
		{"op": "remove", "path": "/status"},
		{"op": "replace", "path": "/status", "value": "active"},
		{"op": "replace", "path": "/role/enabled", "value": "false"},
		{"op": "replace", "path": "/role/enabled", "value": 0},
		{"op": "replace", "path": "/role/enabled", "value": {}},
		{"op": "remove", "path": "/tenant_id"},
		{"op": "replace", "path": "/tenant_id", "value": ""},
		{"op": "replace", "path": "/merchants_access", "value": ""},
		{"op": "replace", "path": "/merchants_access", "value": {}},
		{"op": "replace", "path": "/product_ids", "value": null},
		{"op": "remove", "path": "/gateway_ref_ids"},
		{"op": "remove", "path": "/user_id"},
	] {
		not admin(json.patch(admin_user, [patch]), tenant_ctx, "users.read").allow
	}
}

# A context the principal could not be in denies (finding 16's admin side).
test_unreachable_context_denies if {
	not admin(admin_user, {"type": "TENANT", "id": "other"}, "users.read").allow
	not admin(admin_user, {"type": "tenant", "id": "acme"}, "users.read").allow
	not admin(admin_user, {"type": "TENANT"}, "users.read").allow
	not authz.admin.allow with input as {"principal": admin_user, "operation": "users.read"}
	r := object.union(admin_user, {"type": "RESELLER", "reseller_id": "r1"})
	not admin(r, tenant_ctx, "users.read").allow
	not admin(r, {"type": "RESELLER", "id": "r2"}, "users.read").allow
	admin(r, {"type": "RESELLER", "id": "r1"}, "users.read").allow
	m := object.union(admin_user, {"type": "MERCHANT", "merchant_id": "m1"})
	not admin(m, {"type": "MERCHANT", "id": "m2"}, "users.read").allow
	not admin(m, {"type": "RESELLER", "id": "r1"}, "users.read").allow
}

test_empty_input_denies if {
	d := authz.admin with input as {}
	d.allow == false
	count(d.reasons) > 0
}
