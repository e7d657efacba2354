# The shape of an `authz/decision` input (policies/schemas/decision.json says
# the same for `opa check --schema`): every fact of the expected type, ids
# non-empty where a record must have one. A rule must never read a missing or
# mistyped fact as "no restriction": `count("")` is 0, `not x` holds for a
# missing x, an ACL that is not an object has no level at all. So anything not
# exactly of this shape denies with INVALID_INPUT, before any other rule.
# METADATA
# description: >-
#   Every input reference in package authz is type-checked by
#   scripts/build-policy.sh against policies/schemas (decision.json, admin.json,
#   role_check.json, combined as schema.input): a rule reading a field no entry
#   point's input has fails the build.
# scope: package
# schemas:
#   - input: schema.input
package authz

context_types := {"TENANT", "RESELLER", "MERCHANT"}

levels_known := {"NA", "R", "RW", "CHECKER"}

decision_input_valid if {
	valid_principal(input.principal)
	valid_context(input.context)
	valid_request(input.request)
}

non_empty_string(s) if {
	is_string(s)
	s != ""
}

string_array(a) if {
	is_array(a)
	every x in a {
		non_empty_string(x)
	}
}

valid_acl(acl) if {
	is_object(acl)
	every _, level in acl {
		level in levels_known
	}
}

valid_principal(p) if {
	is_object(p)
	non_empty_string(p.user_id)
	non_empty_string(p.tenant_id)
	p.type in context_types
	is_string(p.reseller_id)
	is_string(p.merchant_id)
	is_string(p.status)
	is_boolean(p.session_active)
	is_object(p.role)
	is_string(p.role.id)
	is_boolean(p.role.enabled)
	valid_acl(p.role.acl)
	string_array(p.merchants_access)
	is_object(p.merchant_resellers)
	every _, reseller in p.merchant_resellers {
		is_string(reseller)
	}
	string_array(p.product_ids)
	string_array(p.gateway_ref_ids)
	valid_home(p)
}

# A user's home matches its type: a reseller user has its reseller, a merchant
# user its merchant and no merchant list.
valid_home(p) if {
	p.type == "TENANT"
	p.reseller_id == ""
	p.merchant_id == ""
}

valid_home(p) if {
	p.type == "RESELLER"
	p.reseller_id != ""
	p.merchant_id == ""
}

valid_home(p) if {
	p.type == "MERCHANT"
	p.merchant_id != ""
	count(p.merchants_access) == 0
}

valid_context(c) if {
	is_object(c)
	c.type in context_types
	non_empty_string(c.id)
}

valid_merchant_record(m) if m == null

valid_merchant_record(m) if {
	is_object(m)
	non_empty_string(m.id)
	non_empty_string(m.tenant_id)
	is_string(m.reseller_id)
}

valid_request(r) if {
	is_object(r)
	non_empty_string(r.module)
	valid_merchant_record(r.merchant)
	is_string(r.merchant_id)
	is_string(r.product_id)
	is_string(r.gateway_ref_id)
	is_boolean(r.product_required)
	is_boolean(r.gateway_ref_required)
	is_string(r.maker_id)
	valid_action_facts(r)
	valid_request_line(r)
}

# The request facts a route's policyInput adds (docs/http.md#policy-input) are
# optional, but when present they have their type: a rule reading
# `request.path[2]` never meets a string or a number. Most routes send none:
# four lookups decide that (`_ = x` holds for any value, false and null too).
valid_request_line(r) if not request_line_present(r)

valid_request_line(r) if {
	request_line_present(r)
	optional_string(r, "method")
	path := object.get(r, "path", [])
	is_array(path)
	every segment in path {
		is_string(segment)
	}
	query := object.get(r, "query", {})
	is_object(query)
	every _, value in query {
		query_value(value)
	}
	headers := object.get(r, "headers", {})
	is_object(headers)
	every _, value in headers {
		is_string(value)
	}
}

request_line_present(r) if _ = r.method

request_line_present(r) if _ = r.path

request_line_present(r) if _ = r.query

request_line_present(r) if _ = r.headers

query_value(v) if is_string(v)

query_value(v) if {
	is_array(v)
	every x in v {
		is_string(x)
	}
}

valid_action_facts(r) if r.action in {"read", "write"}

# An approval names its maker, the context it acted in, when it was made
# (epoch ms) and who appointed the checker since (approval.rego).
valid_action_facts(r) if {
	r.action == "approve"
	non_empty_string(r.maker_id)
	valid_context(r.maker_context)
	is_number(r.made_at)
	is_array(r.checker_appointments)
	every a in r.checker_appointments {
		is_object(a)
		non_empty_string(a.by)
		is_number(a.at)
		is_string(a.what)
	}
	optional_string(r, "target_user_id")
	optional_string(r, "target_role_id")
}

optional_string(obj, key) if is_string(object.get(obj, key, ""))
