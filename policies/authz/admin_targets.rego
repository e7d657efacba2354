# What an admin operation acts on (package authz, entry point `authz/admin`).
#
# Besides `operation` (admin.rego), the control plane passes the records it
# looked up, and the policy decides:
#
# input.target:       the user acted on, or being created
#                     {id ("" when new), type, tenant_id, reseller_id, merchant_id,
#                      role: {acl} (the ACL of the role it holds; not for a new user),
#                      merchant: record (a MERCHANT user's merchant)}
# input.merchants:    merchant records of a merchant access being granted
#                     (`[]` grants every merchant of the target's home scope)
# input.restrictions: {product_ids, gateway_ref_ids} being granted
# input.role:         the role acted on {id, tenant_id, system, owner_type,
#                     owner_id, owner_reseller_id ("" unless a merchant owns it),
#                     acl}
package authz

# Operations that change a user: nobody performs them on themselves, nor on a
# user whose role grants more than their own.
user_mutations := {"users.update", "users.merchant_access.update", "users.hard_delete"}

# Operations that change a role: system roles are read-only (clone them), and
# a role defined higher up than the current context is read-only here.
role_mutations := {"roles.write", "roles.disable"}

# Every fact given must be well formed; a fact the operation does not use may
# be absent.
admin_facts_well_formed if {
	every key in {"target", "merchants", "restrictions", "role"} & input_keys {
		fact_well_formed(key, input[key])
	}
}

fact_well_formed("target", t) if target_well_formed(t)

fact_well_formed("merchants", ms) if {
	is_array(ms)
	every m in ms {
		merchant_record(m)
	}
}

fact_well_formed("restrictions", r) if {
	is_object(r)
	string_list(r.product_ids)
	string_list(r.gateway_ref_ids)
}

fact_well_formed("role", r) if role_well_formed(r)

target_well_formed(t) if {
	is_object(t)
	is_string(t.id)
	t.type in context_types
	t.tenant_id == principal.tenant_id
	is_string(t.reseller_id)
	is_string(t.merchant_id)
	target_role_known(t)
	target_merchant_known(t)
}

# A user that exists holds a role whose ACL the policy compares with the actor's.
target_role_known(t) if t.id == ""

target_role_known(t) if {
	t.id != ""
	acl_well_formed(t.role.acl)
}

target_merchant_known(t) if t.type != "MERCHANT"

target_merchant_known(t) if {
	t.type == "MERCHANT"
	merchant_record(t.merchant)
	t.merchant.id == t.merchant_id
	t.merchant.reseller_id == t.reseller_id
}

role_well_formed(r) if {
	is_object(r)
	non_empty_string(r.id)
	r.tenant_id == principal.tenant_id
	is_boolean(r.system)
	r.owner_type in context_types
	non_empty_string(r.owner_id)
	is_string(r.owner_reseller_id)
	acl_well_formed(r.acl)
}

operation_reasons contains "FORBIDDEN" if {
	some key in ({"target", "merchants", "restrictions", "role"} & input_keys)
	not fact_well_formed(key, input[key])
}

operation_reasons contains "SELF_MODIFICATION" if {
	input.operation in user_mutations
	input.target.id == principal.user_id
}

# Actor below target: nobody acts on a user whose role grants any module more
# than the actor's role does (findings 1 and 2 of issue 17).
operation_reasons contains "PRIVILEGE_ESCALATION" if {
	input.operation in user_mutations
	input.target.id != ""
	count(acl_escalations(input.target.role.acl, principal.role.acl)) > 0
}

operation_reasons contains "PRIVILEGE_ESCALATION" if {
	input.operation in role_mutations
	count(acl_escalations(input.role.acl, principal.role.acl)) > 0
}

# Disabling one's own role would end one's own access (and everyone's who holds it).
operation_reasons contains "SELF_MODIFICATION" if {
	input.operation == "roles.disable"
	input.role.id == principal.role.id
}

# The management table of docs/domain.md#creation: a RESELLER context acts only on its
# reseller's users (reseller users and its merchants' users; a merchant user's
# reseller_id is its merchant's), a MERCHANT context only on its merchant's.
operation_reasons contains "FORBIDDEN" if {
	"target" in input_keys
	not target_managed_here(input.target, input.context)
}

target_managed_here(_, ctx) if ctx.type == "TENANT"

target_managed_here(t, ctx) if {
	ctx.type == "RESELLER"
	t.type in {"RESELLER", "MERCHANT"}
	t.reseller_id == ctx.id
}

target_managed_here(t, ctx) if {
	ctx.type == "MERCHANT"
	t.type == "MERCHANT"
	t.merchant_id == ctx.id
}

# A merchant user's merchant must be one the actor reaches in its context.
operation_reasons contains "MERCHANT_OUT_OF_SCOPE" if {
	input.target.type == "MERCHANT"
	merchant_record(input.target.merchant)
	not merchant_reachable(input.target.merchant)
}

# A merchant user has exactly its own merchant: no list is granted to it.
operation_reasons contains "FORBIDDEN" if {
	input.target.type == "MERCHANT"
	count(input.merchants) > 0
}

# Every merchant granted must be one the actor reaches in its context...
operation_reasons contains "MERCHANT_OUT_OF_SCOPE" if {
	some m in input.merchants
	not merchant_reachable(m)
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

restriction_within(granted, mine) if {
	is_array(granted)
	mine == []
}

restriction_within(granted, mine) if {
	count(granted) > 0
	every id in granted {
		id in mine
	}
}

operation_reasons contains "FORBIDDEN" if {
	input.operation in role_mutations
	input.role.system != false
}

operation_reasons contains "FORBIDDEN" if {
	input.operation in role_mutations
	not role_owned_within_context(input.role)
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
