# Merchant access (docs/domain.md#merchant-access): which merchants a principal may act on in its
# current context. `merchants_access == []` means every merchant in the user's
# home scope (tenant or reseller); a merchant user only ever has its own.
package authz

# A merchant record {id, tenant_id, reseller_id} the user may reach from home.
user_reaches(m) if {
	principal.type == "MERCHANT"
	m.tenant_id == principal.tenant_id
	m.id == principal.merchant_id
}

user_reaches(m) if {
	principal.type == "RESELLER"
	m.tenant_id == principal.tenant_id
	m.reseller_id == principal.reseller_id
	listed_or_all(m.id)
}

user_reaches(m) if {
	principal.type == "TENANT"
	m.tenant_id == principal.tenant_id
	listed_or_all(m.id)
}

listed_or_all(_) if count(principal.merchants_access) == 0

listed_or_all(id) if id in principal.merchants_access

# The current context narrows what the user reaches.
context_covers(m, ctx) if {
	ctx.type == "TENANT"
	m.tenant_id == principal.tenant_id
}

context_covers(m, ctx) if {
	ctx.type == "RESELLER"
	m.tenant_id == principal.tenant_id
	m.reseller_id == ctx.id
}

context_covers(m, ctx) if {
	ctx.type == "MERCHANT"
	m.tenant_id == principal.tenant_id
	m.id == ctx.id
}

merchant_allowed(m, ctx) if {
	user_reaches(m)
	context_covers(m, ctx)
}

# What an upstream may serve when the request names no merchant: `*` (the
# whole tenant), `reseller:<id>`, or the listed merchant ids the context covers.
# `principal.merchant_resellers` maps each listed merchant of the principal's
# tenant to its reseller (""): a listed id it does not hold is not the
# tenant's (or no longer exists) and is never put in a scope.
merchant_scope := input.context.id if {
	input.context.type == "MERCHANT"
} else := "*" if {
	input.context.type == "TENANT"
	count(principal.merchants_access) == 0
} else := concat("", ["reseller:", input.context.id]) if {
	input.context.type == "RESELLER"
	count(principal.merchants_access) == 0
} else := concat(",", sort([id |
	some id in principal.merchants_access
	scope_lists(id, input.context)
]))

scope_lists(id, ctx) if {
	ctx.type == "TENANT"
	is_string(principal.merchant_resellers[id])
}

scope_lists(id, ctx) if {
	ctx.type == "RESELLER"
	principal.merchant_resellers[id] == ctx.id
}
