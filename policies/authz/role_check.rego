# Entry point `authz/role_check`: validation of a role's ACL before it is
# created, edited, cloned or assigned.
#
# input.acl:       the role's ACL {module: level}
# input.actor_acl: the ACL of the administrator doing it (null for bootstrap:
#   only an explicit null skips the escalation check; missing or mistyped
#   escalates on "*")
# input.previous_acl (optional): the role's ACL before an edit; `raised` lists
#   the modules the edit lets holders do more on (approval.rego)
#
# Returns the separation-of-duties pairs the ACL holds both sides of, the
# modules it would raise above the actor's own level, and modules above their
# ceiling (the audit log is read-only for everyone); `invalid` when the ACL is
# not an object of known levels; `allow` only when all of that is clean.
package authz

role_check := {
	"allow": role_check_allowed,
	"invalid": role_check_invalid,
	"sod_violations": sort([p.name | some p in sod_violations]),
	"escalations": sort([m | some m in escalations]),
	"over_ceiling": sort([m | some m in over_ceiling]),
	"raised": sort([m | some m in raised]),
}

default role_check_invalid := true

role_check_invalid := false if acl_well_formed(input.acl)

default role_check_allowed := false

role_check_allowed if {
	acl_well_formed(input.acl)
	previous_acl_well_formed
	count(sod_violations) == 0
	count(escalations) == 0
	count(over_ceiling) == 0
}

previous_acl_well_formed if not "previous_acl" in input_keys

previous_acl_well_formed if acl_well_formed(input.previous_acl)

sod_violations contains pair if {
	some pair in cfg.sod_pairs
	holds(input.acl, pair.a)
	holds(input.acl, pair.b)
}

# Holding a side means the ACL gives at least that side's level.
holds(acl, side) if level_of(acl, side.module) == side.level

holds(acl, side) if {
	side.level == "R"
	level_of(acl, side.module) in {"RW", "CHECKER"}
}

# levels.rego: acl_escalations ("*" when either ACL is not well formed).
escalations := set() if {
	"actor_acl" in input_keys
	input.actor_acl == null
	acl_well_formed(input.acl)
} else := acl_escalations(input.acl, object.get(input, "actor_acl", null))

over_ceiling contains module if {
	some module, ceiling in cfg.max_levels
	level := level_of(input.acl, module)
	not within(level, ceiling)
}

over_ceiling contains "*" if not acl_well_formed(input.acl)
