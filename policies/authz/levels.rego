# Permission levels and what each grants.
# NA < R < RW; CHECKER reads and approves but never writes, so a checker can
# not be the maker of the requests it approves.
package authz

cfg := data.authz_config

known_levels := {"NA", "R", "RW", "CHECKER"}

# An ACL is an object of level strings; anything else grants nothing (the
# entry points that read an ACL deny when it is not well formed).
acl_well_formed(acl) if {
	is_object(acl)
	every module, level in acl {
		is_string(module)
		level in known_levels
	}
}

# The level a role's ACL gives a module: its own entry, else the wildcard "*"
# (used by system roles so new modules are covered), else NA.
# Undefined for an ACL that is not an object (nothing is granted).
level_of(acl, module) := object.get(acl, module, object.get(acl, "*", "NA")) if is_object(acl)

grants(level, "read") if level in {"R", "RW", "CHECKER"}

grants("RW", "write")

grants("CHECKER", "approve")

# Whether a level satisfies a required level (used by admin operations).
satisfies(level, "R") if grants(level, "read")

satisfies("RW", "RW")

satisfies("CHECKER", "CHECKER")

# A level is within the actor's when the actor has it or more. CHECKER is a
# different power from RW (approve, never write): an administrator who holds
# RW on a module may appoint its checkers, as may a checker.
within("NA", _)

within("R", actor) if actor in {"R", "RW", "CHECKER"}

within("RW", "RW")

within("CHECKER", actor) if actor in {"RW", "CHECKER"}

# The modules on which `acl` grants more than `actor_acl` holds. Compared on
# every module either ACL names, "*" included: a role's wildcard reaches the
# modules the actor holds explicitly, and the actor's wildcard covers the
# modules the role names. Both ACLs must be well formed; otherwise "*" (all).
acl_escalations(acl, actor_acl) := {module |
	some module in ({m | some m, _ in acl} | {m | some m, _ in actor_acl})
	not within(level_of(acl, module), level_of(actor_acl, module))
} if {
	acl_well_formed(acl)
	acl_well_formed(actor_acl)
} else := {"*"}
