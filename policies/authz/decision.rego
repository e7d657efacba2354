# Entry point `authz/decision`: one gateway request.
#
# input.principal: {user_id, tenant_id, type, reseller_id, merchant_id, status,
#   session_active, role: {id, enabled, acl}, merchants_access: [id],
#   merchant_resellers: {id: reseller_id}, product_ids, gateway_ref_ids}
# input.context:   {type, id}
# input.request:   {module, action: read|write|approve, merchant (record or
#   null), merchant_id (as named, "" when none), product_id, gateway_ref_id,
#   maker_id and maker_context {type, id} (approvals only, see approval.rego)}
#
# Anything but an explicit allow is a deny: `allow` is true only when no rule
# produced a reason.
package authz

decision := {
	"allow": count(reasons) == 0,
	"reasons": sort(reasons),
	"merchant_id": effective_merchant_id,
	"merchant_scope": scope_for_decision,
}

reasons := principal_reasons if {
	count(principal_reasons) > 0
} else := request_reasons

request := input.request

request_reasons contains "INSUFFICIENT_PERMISSION" if not action_granted

action_granted if grants(level_of(principal.role.acl, request.module), request.action)

request_reasons contains "MERCHANT_ACCESS_DENIED" if {
	effective_merchant_id != ""
	not named_merchant_allowed
}

# In MERCHANT context the merchant is the context's own; naming another is a
# denial, not a silent rewrite.
request_reasons contains "MERCHANT_ACCESS_DENIED" if {
	input.context.type == "MERCHANT"
	request.merchant_id != ""
	request.merchant_id != input.context.id
}

# A context the user can no longer reach (access removed after a switch).
request_reasons contains "MERCHANT_ACCESS_DENIED" if {
	input.context.type == "RESELLER"
	principal.type == "RESELLER"
	principal.reseller_id != input.context.id
}

request_reasons contains "PRODUCT_RESTRICTED" if {
	restricted(principal.product_ids, request.product_id)
}

request_reasons contains "GATEWAY_RESTRICTED" if {
	restricted(principal.gateway_ref_ids, request.gateway_ref_id)
}

# Four eyes: nobody approves a request they made.
request_reasons contains "SOD_VIOLATION" if {
	request.action == "approve"
	request.maker_id == principal.user_id
}

restricted(allowed, named) if {
	named != ""
	count(allowed) > 0
	not named in allowed
}

effective_merchant_id := input.context.id if {
	input.context.type == "MERCHANT"
} else := request.merchant_id

named_merchant_allowed if {
	request.merchant.id == effective_merchant_id
	merchant_allowed(request.merchant, input.context)
}

scope_for_decision := "" if {
	effective_merchant_id != ""
} else := merchant_scope
