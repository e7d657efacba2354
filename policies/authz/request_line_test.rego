package authz_test

# The request facts a route's policyInput adds (docs/http.md#policy-input) are
# optional; when present they have their type, else the request is denied.
test_request_facts_optional_and_typed if {
	r := req("orders", "read", acme_m1)
	line := {"method": "GET", "path": ["orders", "42", ""], "query": {"a": "1", "b": ["2", "3"]}, "headers": {"x-channel": "web"}}
	decide(tenant_user, tenant_ctx, object.union(r, line)).allow
	decide(tenant_user, tenant_ctx, object.union(r, {"path": [], "query": {}, "headers": {}})).allow
	every bad in [
		{"method": 1}, {"method": null}, {"path": "/orders/42"}, {"path": ["orders", 42]},
		{"query": []}, {"query": {"a": 1}}, {"query": {"a": ["1", 2]}},
		{"headers": {"x-channel": ["web"]}}, {"headers": "x-channel"},
	] {
		decide(tenant_user, tenant_ctx, object.union(r, bad)).reasons == ["INVALID_INPUT"]
	}
}
