package authz_test

notes_user := object.union(tenant_user, {"role": {"id": "role-notes", "enabled": true, "acl": {"order_notes": "RW"}}})

notes_req(method, action, path) := object.union(req("order_notes", action, {}), {"method": method, "path": path})

test_notes_are_append_only if {
	decide(notes_user, tenant_ctx, notes_req("POST", "write", ["orders", "o-1", "notes"])).allow
	decide(notes_user, tenant_ctx, notes_req("DELETE", "write", ["orders", "o-1"])).allow
	d := decide(notes_user, tenant_ctx, notes_req("DELETE", "write", ["orders", "o-1", "notes", "n-9"]))
	not d.allow
	d.reasons == ["INSUFFICIENT_PERMISSION"]
}

test_reads_only_on_notes if {
	decide(notes_user, tenant_ctx, notes_req("GET", "read", ["orders", "o-1", "notes"])).allow
	decide(notes_user, tenant_ctx, notes_req("GET", "read", ["orders", "o-1", "notes", "n-9"])).allow
	decide(notes_user, tenant_ctx, notes_req("GET", "read", ["orders", "o-1"])).reasons == ["INSUFFICIENT_PERMISSION"]
	decide(notes_user, tenant_ctx, notes_req("GET", "read", ["orders"])).reasons == ["INSUFFICIENT_PERMISSION"]
}

# The role still decides first: no grant on the module, no note.
test_notes_need_the_role if {
	d := decide(tenant_user, tenant_ctx, notes_req("POST", "write", ["orders", "o-1", "notes"]))
	d.reasons == ["INSUFFICIENT_PERMISSION"]
}

# A route of the module that does not send method and path is denied.
test_notes_without_request_line_deny if {
	decide(notes_user, tenant_ctx, req("order_notes", "write", {})).reasons == ["INVALID_INPUT"]
	decide(notes_user, tenant_ctx, req("order_notes", "read", {})).reasons == ["INVALID_INPUT"]
	decide(notes_user, tenant_ctx, object.union(req("order_notes", "write", {}), {"method": "POST"})).reasons == ["INVALID_INPUT"]
}
