# Rules about the caller itself, checked before any permission: a revoked
# session, an inactive user or a disabled role denies everything. Facts are
# compared with the exact value that allows (`== true`, `== "ACTIVE"`): a
# missing or mistyped fact denies.
package authz

principal := input.principal

principal_reasons contains "SESSION_REVOKED" if not principal.session_active == true

principal_reasons contains "USER_DISABLED" if not principal.status == "ACTIVE"

principal_reasons contains "ROLE_DISABLED" if not principal.role.enabled == true

context_types := {"TENANT", "RESELLER", "MERCHANT"}

# Every fact about the caller has its type; ids that place it are non-empty
# where its type needs them. (Used by authz/admin; decision may use it too.)
principal_well_formed if {
	non_empty_string(principal.user_id)
	non_empty_string(principal.tenant_id)
	principal.type in context_types
	is_string(principal.reseller_id)
	is_string(principal.merchant_id)
	principal_home_set(principal)
	is_string(principal.role.id)
	acl_well_formed(principal.role.acl)
	string_list(principal.merchants_access)
	is_object(principal.merchant_resellers)
	string_list(principal.product_ids)
	string_list(principal.gateway_ref_ids)
}

principal_home_set(p) if p.type == "TENANT"

principal_home_set(p) if {
	p.type == "RESELLER"
	p.reseller_id != ""
}

principal_home_set(p) if {
	p.type == "MERCHANT"
	p.merchant_id != ""
}

non_empty_string(s) if {
	is_string(s)
	s != ""
}

string_list(xs) if {
	is_array(xs)
	every x in xs {
		non_empty_string(x)
	}
}

# Contexts a principal of its type could be in: its own tenant, reseller or
# merchant, or one below its home (which ones exactly is checked when the
# token is issued and on every request, src/auth/contexts.ts).
context_possible(ctx) if {
	ctx.type == "TENANT"
	principal.type == "TENANT"
	ctx.id == principal.tenant_id
}

context_possible(ctx) if {
	ctx.type == "RESELLER"
	principal.type == "TENANT"
	non_empty_string(ctx.id)
}

context_possible(ctx) if {
	ctx.type == "RESELLER"
	principal.type == "RESELLER"
	ctx.id == principal.reseller_id
}

context_possible(ctx) if {
	ctx.type == "MERCHANT"
	principal.type in {"TENANT", "RESELLER"}
	non_empty_string(ctx.id)
}

context_possible(ctx) if {
	ctx.type == "MERCHANT"
	principal.type == "MERCHANT"
	ctx.id == principal.merchant_id
}

# The keys the input has (object.keys is not among the wasm SDK's builtins).
input_keys := {k | some k, _ in input}
