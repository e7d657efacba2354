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
