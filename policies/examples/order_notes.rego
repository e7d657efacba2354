# An example of rules on the request line, for security teams
# (README "Security teams"). Not in the production bundle: the build ignores
# policies/examples, so production decisions do not change. It is
# type-checked against policies/schemas with the rest and tested by
# order_notes_test.rego (npm run policy:test); the gateway tests build it
# into a bundle of their own. To adopt such a rule, put it in policies/authz/
# and give the route `policyInput: [method, path]`.
#
# Module `order_notes` (the notes of an order, under /orders/<id>/notes):
# - notes are append-only: DELETE on a notes path is denied whatever the role
#   grants;
# - reads are allowed only on the notes themselves, not on the order.
#
# Rules like these only add reasons: the policy still allows nothing that is
# not explicitly allowed (decision.rego), and a route of this module that does
# not send the method and path is denied, never let through unchecked.
package authz

request_reasons contains "INVALID_INPUT" if {
	request.module == "order_notes"
	not order_notes_line
}

order_notes_line if {
	is_string(request.method)
	is_array(request.path)
}

request_reasons contains "INSUFFICIENT_PERMISSION" if {
	request.module == "order_notes"
	request.method == "DELETE"
	notes_path
}

request_reasons contains "INSUFFICIENT_PERMISSION" if {
	request.module == "order_notes"
	request.action == "read"
	order_notes_line
	not notes_path
}

# /orders/<id>/notes and anything below it.
notes_path if {
	request.path[0] == "orders"
	request.path[2] == "notes"
}
