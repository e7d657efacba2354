# Generated malformed inputs for `authz/admin` and `authz/role_check`
# (findings 15 and 19 of issue 17): from inputs that are allowed, every leaf
# fact replaced by a value of another type, every enum by a near miss, and
# every required key removed must deny. Anything but an explicit allow is a
# deny.
package authz_test

import data.authz

# Values of every JSON type; a leaf is replaced by each whose type differs.
candidates := [null, 0, 1, true, false, "", "true", "false", "RW", {}, [], ["RW"], {"RW": "RW"}]

near_misses := {
	"TENANT": ["tenant", "Tenant", "TENANT ", "ROOT"],
	"RESELLER": ["reseller", "RESELLERS"],
	"MERCHANT": ["merchant", "MERCHANTS"],
	"ACTIVE": ["active", "INVITED", "DISABLED", "SOFT_DEL"],
	"RW": ["rw", "W", "RWX"],
	"R": ["r", "READ"],
	"CHECKER": ["checker"],
}

pointer(path) := concat("/", array.concat([""], [sprintf("%v", [p]) | some p in path]))

leaves(doc) := [[path, value] |
	walk(doc, [path, value])
	count(path) > 0
	not is_object(value)
	not is_array(value)
]

mutants(doc) := array.concat(
	[json.patch(doc, [{"op": "replace", "path": pointer(path), "value": bad}]) |
		some [path, value] in leaves(doc)
		some bad in candidates
		type_name(bad) != type_name(value)
	],
	[json.patch(doc, [{"op": "replace", "path": pointer(path), "value": miss}]) |
		some [path, value] in leaves(doc)
		some miss in near_misses[value]
	],
)

# Required keys: every object key but those inside an ACL (a module left out
# is NA), merchant_resellers (a map) and the optional facts themselves.
removals(doc, optional) := [json.patch(doc, [{"op": "remove", "path": pointer(path)}]) |
	walk(doc, [path, _])
	count(path) > 0
	is_string(path[count(path) - 1])
	not optional_path(path, optional)
]

optional_path(path, _) if {
	some acl in ["acl", "actor_acl", "previous_acl"]
	acl in array.slice(path, 0, count(path) - 1)
}

optional_path(path, _) if "merchant_resellers" in array.slice(path, 0, count(path) - 1)

optional_path(path, optional) if {
	count(path) == 1
	path[0] in optional
}

user_admin_actor := object.union(admin_user, {"role": {"id": "ua", "enabled": true, "acl": {"users": "RW", "roles": "RW", "tenants": "RW", "user_hard_delete": "RW"}}})

admin_bases := [
	{
		"principal": user_admin_actor, "context": tenant_ctx, "operation": "users.update",
		"target": {"id": "u9", "type": "TENANT", "tenant_id": "acme", "reseller_id": "", "merchant_id": "", "role": {"acl": {"users": "R"}}},
		"restrictions": {"product_ids": [], "gateway_ref_ids": []},
	},
	{
		"principal": object.union(user_admin_actor, {"product_ids": ["p1"]}), "context": tenant_ctx,
		"operation": "users.merchant_access.update",
		"target": {"id": "u9", "type": "RESELLER", "tenant_id": "acme", "reseller_id": "r1", "merchant_id": "", "role": {"acl": {}}},
		"merchants": [acme_m2], "restrictions": {"product_ids": ["p1"], "gateway_ref_ids": []},
	},
	{
		"principal": object.union(user_admin_actor, {"user_id": "u3", "type": "MERCHANT", "reseller_id": "r1", "merchant_id": "m2"}),
		"context": {"type": "MERCHANT", "id": "m2"}, "operation": "users.hard_delete",
		"target": {"id": "u9", "type": "MERCHANT", "tenant_id": "acme", "reseller_id": "r1", "merchant_id": "m2", "merchant": acme_m2, "role": {"acl": {"users": "R"}}},
	},
	{
		"principal": user_admin_actor, "context": tenant_ctx, "operation": "roles.write",
		"role": {"id": "x", "tenant_id": "acme", "system": false, "owner_type": "TENANT", "owner_id": "acme", "owner_reseller_id": "", "acl": {"roles": "R"}},
	},
	{"principal": user_admin_actor, "context": tenant_ctx, "operation": "merchants.read", "merchant": acme_m1},
]

admin_allows(i) if authz.admin.allow with input as i

test_generated_admin_bases_are_allowed if {
	every base in admin_bases {
		admin_allows(base)
	}
}

admin_mutants := [m |
	some base in admin_bases
	some m in array.concat(mutants(base), removals(base, {"target", "merchants", "restrictions", "role", "merchant"}))
]

test_generated_malformed_admin_inputs_deny if {
	count(admin_mutants) > 1000
	allowed := [m | some m in admin_mutants; admin_allows(m)]
	allowed == []
}

role_check_bases := [
	{"acl": {"orders": "R", "refund_approvals": "CHECKER"}, "actor_acl": {"orders": "RW", "refunds": "R", "refund_approvals": "CHECKER"}},
	{"acl": {"*": "R", "audit": "R"}, "actor_acl": {"*": "RW", "audit": "R"}, "previous_acl": {"*": "R"}},
]

role_check_allows(i) if authz.role_check.allow with input as i

test_generated_role_check_bases_are_allowed if {
	every base in role_check_bases {
		role_check_allows(base)
	}
}

test_generated_malformed_role_check_inputs_deny if {
	ms := [m |
		some base in role_check_bases
		some m in array.concat(mutants(base), removals(base, {"previous_acl"}))
	]
	count(ms) > 50
	allowed := [m | some m in ms; role_check_allows(m)]
	allowed == []
}
