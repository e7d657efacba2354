# Entry point `authz/admin`: a control-plane administrative operation.
#
# input.principal, input.context: as for `decision`.
# input.operation: a key of data.authz_config.admin_operations, which says per
#   context type which module and level the operation needs. A context type the
#   operation does not list may not perform it at all (the creation table of
#   docs/domain.md#creation lives there).
# input.merchant (optional): a merchant record the operation targets; it must be
#   within the caller's merchant access and context.
package authz

admin := {
	"allow": count(admin_reasons) == 0,
	"reasons": sort(admin_reasons),
}

admin_reasons := principal_reasons if {
	count(principal_reasons) > 0
} else := operation_reasons

operation_requirement := cfg.admin_operations[input.operation][input.context.type]

operation_reasons contains "FORBIDDEN" if not operation_requirement

operation_reasons contains "FORBIDDEN" if {
	not satisfies(level_of(principal.role.acl, operation_requirement.module), operation_requirement.level)
}

operation_reasons contains "MERCHANT_OUT_OF_SCOPE" if {
	input.merchant
	not merchant_allowed(input.merchant, input.context)
}
