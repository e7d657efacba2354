# Entry point `authz/decision`: one gateway request, or a checker deciding an
# approval. The input's shape is policies/schemas/decision.json.
#
# input.principal: {user_id, tenant_id, type, reseller_id, merchant_id, status,
#   session_active, role: {id, enabled, acl}, merchants_access: [id],
#   merchant_resellers: {id: reseller_id}, product_ids, gateway_ref_ids}
# input.context:   {type, id}
# input.request:   {module, action: read|write|approve, merchant (record or
#   null), merchant_id (as named, "" when none), product_id, gateway_ref_id,
#   product_required, gateway_ref_required (the route locates one), maker_id;
#   approvals only: maker_context {type, id}, made_at, checker_appointments
#   (see approval.rego); on a route with policyInput, as the route asks:
#   method, path (segments), query {name: value or [values]}, headers
#   {lower-case name: value} (docs/http.md#policy-input)}
#
# Anything but an explicit allow is a deny: `allow` is true only when no rule
# produced a reason, and an input that is not exactly of the expected shape
# (decision_input.rego) denies with INVALID_INPUT before any rule reads it.
package authz

decision := {
	"allow": count(reasons) == 0,
	"reasons": sort(reasons),
	"merchant_id": decided(effective_merchant_id),
	"merchant_scope": decided(scope_for_decision),
	"product_scope": decided(product_scope),
	"gateway_ref_scope": decided(gateway_ref_scope),
}

# What the decision tells a caller is a string made from a valid input, else "".
decided(value) := value if {
	decision_input_valid
	is_string(value)
} else := ""

reasons := {"INVALID_INPUT"} if {
	not decision_input_valid
} else := principal_reasons if {
	count(principal_reasons) > 0
} else := request_reasons

request := input.request

request_reasons contains "INSUFFICIENT_PERMISSION" if not action_granted

action_granted if grants(level_of(principal.role.acl, request.module), request.action)

# The same rule as the control plane's CONTEXT_FORBIDDEN (src/auth/contexts.ts):
# a token keeps the context it was switched into, so every request checks that
# the principal could switch into it now.
request_reasons contains "CONTEXT_FORBIDDEN" if not context_reachable

context_reachable if {
	input.context.type == "TENANT"
	principal.type == "TENANT"
	input.context.id == principal.tenant_id
}

context_reachable if {
	input.context.type == "RESELLER"
	principal.type == "RESELLER"
	input.context.id == principal.reseller_id
}

# A tenant user with every merchant reaches every reseller of its tenant. The
# reseller's tenant was checked by the control plane when it signed the
# switched token, and a reseller never changes tenant.
context_reachable if {
	input.context.type == "RESELLER"
	principal.type == "TENANT"
	count(principal.merchants_access) == 0
}

# A tenant user with listed merchants reaches the resellers owning one of them
# (merchant_resellers holds only the tenant's own merchants).
context_reachable if {
	input.context.type == "RESELLER"
	principal.type == "TENANT"
	some id in principal.merchants_access
	principal.merchant_resellers[id] == input.context.id
}

# In MERCHANT context the request carries the context's merchant record.
context_reachable if {
	input.context.type == "MERCHANT"
	request.merchant.id == input.context.id
	user_reaches(request.merchant)
}

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

request_reasons contains "PRODUCT_RESTRICTED" if {
	restricted(principal.product_ids, request.product_id, request.product_required)
}

request_reasons contains "GATEWAY_RESTRICTED" if {
	restricted(principal.gateway_ref_ids, request.gateway_ref_id, request.gateway_ref_required)
}

# Four eyes: nobody approves a request they made.
request_reasons contains "SOD_VIOLATION" if {
	request.action == "approve"
	request.maker_id == principal.user_id
}

# A named id outside the restriction, or, on a route that locates one, none
# named at all (the request would act on every product).
restricted(allowed, named, _) if {
	named != ""
	count(allowed) > 0
	not named in allowed
}

restricted(allowed, "", true) if count(allowed) > 0

# What an upstream may serve of a restricted kind: "*" (unrestricted) or the
# comma-separated allowed ids, sent as x-auth-product-scope and
# x-auth-gateway-scope (the gateway reads no bodies: an upstream must filter
# what a body names by these).
default product_scope := ""

product_scope := restriction_scope(principal.product_ids)

default gateway_ref_scope := ""

gateway_ref_scope := restriction_scope(principal.gateway_ref_ids)

restriction_scope(ids) := "*" if {
	count(ids) == 0
} else := concat(",", sort(ids))

default effective_merchant_id := ""

effective_merchant_id := input.context.id if {
	input.context.type == "MERCHANT"
} else := request.merchant_id

named_merchant_allowed if {
	request.merchant.id == effective_merchant_id
	merchant_allowed(request.merchant, input.context)
}

default scope_for_decision := ""

scope_for_decision := "" if {
	effective_merchant_id != ""
} else := merchant_scope
