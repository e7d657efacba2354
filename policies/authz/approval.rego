# Maker-checker (docs/domain.md#maker-checker): who may approve or reject a stored request,
# and which role edits raise a level (a tenant may require a checker for those).
#
# A checker needs CHECKER on the request's module, or on the approval module
# the data pairs with it (`approval_modules`, e.g. refunds → refund_approvals,
# the module the separation-of-duties pairs name). The maker never approves
# its own request (decision.rego, SOD_VIOLATION).
package authz

action_granted if {
	request.action == "approve"
	grants(level_of(principal.role.acl, cfg.approval_modules[request.module]), "approve")
}

# Nobody decides a control-plane action about themselves: the user to be
# deleted, or a holder of the role to be changed.
request_reasons contains "SOD_VIOLATION" if {
	request.action == "approve"
	object.get(request, "target_user_id", "") == principal.user_id
}

request_reasons contains "SOD_VIOLATION" if {
	request.action == "approve"
	object.get(request, "target_role_id", "") == principal.role.id
}

# A request that names no merchant acted on the maker's whole context (e.g.
# every merchant of a reseller): only a checker whose context covers the
# maker's may decide it. A missing maker context denies.
request_reasons contains "MERCHANT_ACCESS_DENIED" if {
	request.action == "approve"
	effective_merchant_id == ""
	not context_covers_maker(object.get(request, "maker_context", {}))
}

context_covers_maker(_) if input.context.type == "TENANT"

context_covers_maker(maker) if {
	maker.type == input.context.type
	maker.id == input.context.id
}

# Modules an edit from `previous_acl` to `acl` lets holders do more on: some
# action (read, write, approve) the new level grants and the old did not.
# Wildcards count: a module the edit names is compared with the old "*".
raised contains module if {
	previous := object.get(input, "previous_acl", null)
	previous != null
	some module in edited_modules(previous)
	some action in {"read", "write", "approve"}
	grants(level_of(input.acl, module), action)
	not grants(level_of(previous, module), action)
}

edited_modules(previous) := {m | some m, _ in input.acl} | {m | some m, _ in previous}
