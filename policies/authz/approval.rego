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

# Checker coverage: a checker must cover everything the held request will do
# upstream. A request naming a merchant acts on it (the rules of decision.rego
# check the checker reaches it in its context). One naming none acts on the
# maker's whole context: a TENANT context on `*` (every merchant of the
# tenant), a RESELLER context on `reseller:<id>` (every merchant of that
# reseller). Only a checker reaching all of those may decide it: a tenant user
# with every merchant in the TENANT context, or one reaching every merchant
# of the reseller in that reseller's context (or in the TENANT context).
# A merchant-restricted checker, a merchant user, or a checker in a MERCHANT
# context never does.
request_reasons contains "MERCHANT_ACCESS_DENIED" if {
	request.action == "approve"
	request.merchant_id == ""
	not checker_covers_all_of(request.maker_context)
}

checker_covers_all_of(maker) if {
	maker.type == "TENANT"
	maker.id == principal.tenant_id
	checker_reaches_every_merchant_of_tenant
}

checker_covers_all_of(maker) if {
	maker.type == "RESELLER"
	checker_reaches_every_merchant_of_tenant
}

checker_covers_all_of(maker) if {
	maker.type == "RESELLER"
	input.context.type == "RESELLER"
	input.context.id == maker.id
	principal.type in {"TENANT", "RESELLER"}
	count(principal.merchants_access) == 0
}

checker_reaches_every_merchant_of_tenant if {
	input.context.type == "TENANT"
	principal.type == "TENANT"
	count(principal.merchants_access) == 0
}

# Four eyes means two people the maker did not both appoint for the purpose:
# nobody decides a request whose maker, after making it, invited the checker,
# gave the checker its role, or created, cloned, edited or enabled the
# checker's role. `checker_appointments` are those events about the checker
# and its current role since the request was made (src/approvals/decide.ts
# reads them from the audit trail); the rule compares who and when.
request_reasons contains "SOD_VIOLATION" if {
	request.action == "approve"
	some a in request.checker_appointments
	a.by == request.maker_id
	a.at >= request.made_at
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
