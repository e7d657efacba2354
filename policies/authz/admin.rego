# Entry point `authz/admin`: a control-plane administrative operation.
#
# input.principal, input.context: as for `decision`.
# input.operation: a key of data.authz_config.admin_operations, which says per
#   context type which module and level the operation needs. A context type the
#   operation does not list may not perform it at all (the creation table of
#   docs/domain.md#creation lives there and in admin_targets.rego).
# input.merchant (optional): a merchant record the operation targets; it must be
#   of the caller's tenant and within the caller's merchant access and context.
#
# Deny unless permitted: `allow` is true only when the operation is explicitly
# permitted (a well-formed caller in a context it can be in, holding the level
# the operation needs, every fact given well formed) and no rule produced a
# reason. A denial without a more precise reason reads FORBIDDEN.
package authz

admin := {
	"allow": admin_allowed,
	"reasons": admin_reason_list,
}

default admin_allowed := false

admin_allowed if {
	count(admin_reasons) == 0
	admin_permitted
}

admin_reason_list := sort(admin_reasons) if {
	count(admin_reasons) > 0
} else := [] if {
	admin_allowed
} else := ["FORBIDDEN"]

admin_reasons := principal_reasons if {
	count(principal_reasons) > 0
} else := operation_reasons

admin_permitted if {
	principal_well_formed
	context_possible(input.context)
	is_string(input.operation)
	requirement := operation_requirement
	satisfies(level_of(principal.role.acl, requirement.module), requirement.level)
	admin_facts_well_formed
}

operation_requirement := cfg.admin_operations[input.operation][input.context.type]

operation_reasons contains "FORBIDDEN" if not operation_requirement

operation_reasons contains "FORBIDDEN" if {
	not satisfies(level_of(principal.role.acl, operation_requirement.module), operation_requirement.level)
}

operation_reasons contains "FORBIDDEN" if {
	"merchant" in input_keys
	not merchant_record(input.merchant)
}

operation_reasons contains "MERCHANT_OUT_OF_SCOPE" if {
	merchant_record(input.merchant)
	not merchant_reachable(input.merchant)
}

merchant_record(m) if {
	is_object(m)
	non_empty_string(m.id)
	non_empty_string(m.tenant_id)
	is_string(m.reseller_id)
}

# Within the caller's tenant (a merchant id alone is not trusted to be unique
# across tenants), merchant access and context.
merchant_reachable(m) if {
	m.tenant_id == principal.tenant_id
	merchant_allowed(m, input.context)
}
