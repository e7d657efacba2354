# Rules about the caller itself, checked before any permission: a revoked
# session, an inactive user or a disabled role denies everything.
package authz

principal := input.principal

principal_reasons contains "SESSION_REVOKED" if not principal.session_active

principal_reasons contains "USER_DISABLED" if principal.status != "ACTIVE"

principal_reasons contains "ROLE_DISABLED" if not principal.role.enabled
