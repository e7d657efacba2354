# What an admin operation acts on (package authz, entry point `authz/admin`).
#
# Besides `operation` (admin.rego), the control plane passes the records it
# looked up, and the policy decides:
#
# input.target:       the user acted on, or being created
#                     {id ("" when new), type, tenant_id, reseller_id, merchant_id}
# input.merchants:    merchant records of a merchant access being granted
#                     (`[]` grants every merchant of the target's home scope)
# input.restrictions: {product_ids, gateway_ref_ids} being granted
# input.role:         the role acted on {id, tenant_id, system, owner_type,
#                     owner_id, owner_reseller_id ("" unless a merchant owns it)}
package authz

# Operations that change a user: nobody performs them on themselves.
user_mutations := {"users.update", "users.merchant_access.update", "users.hard_delete"}

# Operations that change a role: system roles are read-only (clone them), and
# a role defined higher up than the current context is read-only here.
role_mutations := {"roles.write", "roles.disable"}

operation_reasons contains "FORBIDDEN" if {
	input.target.tenant_id != principal.tenant_id
}

operation_reasons contains "SELF_MODIFICATION" if {
	input.operation in user_mutations
	input.target.id == principal.user_id
}

# Disabling one's own role would end one's own access (and everyone's who holds it).
operation_reasons contains "SELF_MODIFICATION" if {
	input.operation == "roles.disable"
	input.role.id == principal.role.id
}

# Every merchant granted must be one the actor reaches in its context...
operation_reasons contains "MERCHANT_OUT_OF_SCOPE" if {
	some m in input.merchants
	not merchant_allowed(m, input.context)
}

# ... and, for a reseller user, one under that user's reseller.
operation_reasons contains "MERCHANT_OUT_OF_SCOPE" if {
	input.target.type == "RESELLER"
	some m in input.merchants
	m.reseller_id != input.target.reseller_id
}

# `[]` means every merchant of the target's home scope: only an actor that
# itself reaches every merchant may grant that.
operation_reasons contains "MERCHANT_OUT_OF_SCOPE" if {
	input.merchants == []
	input.target.type != "MERCHANT"
	count(principal.merchants_access) > 0
}

# An actor limited to some products (or gateway references) hands out only a
# non-empty subset of them: `[]` would mean unrestricted.
operation_reasons contains "PRIVILEGE_ESCALATION" if {
	some kind in ["product_ids", "gateway_ref_ids"]
	granted := input.restrictions[kind]
	not restriction_within(granted, principal[kind])
}

restriction_within(_, mine) if count(mine) == 0

restriction_within(granted, mine) if {
	count(granted) > 0
	every id in granted {
		id in mine
	}
}

operation_reasons contains "FORBIDDEN" if {
	input.operation in role_mutations
	input.role.system
}

operation_reasons contains "FORBIDDEN" if {
	input.operation in role_mutations
	not role_owned_within_context(input.role)
}

operation_reasons contains "FORBIDDEN" if {
	input.role.tenant_id != principal.tenant_id
}

# A context manages the roles it owns and those of the entities below it.
role_owned_within_context(_) if input.context.type == "TENANT"

role_owned_within_context(role) if {
	role.owner_type == input.context.type
	role.owner_id == input.context.id
}

role_owned_within_context(role) if {
	input.context.type == "RESELLER"
	role.owner_type == "MERCHANT"
	role.owner_reseller_id == input.context.id
}
