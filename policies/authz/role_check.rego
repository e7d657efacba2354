# Entry point `authz/role_check`: validation of a role's ACL before it is
# created, edited, cloned or assigned.
#
# input.acl:       the role's ACL {module: level}
# input.actor_acl: the ACL of the administrator doing it (null for bootstrap)
# input.previous_acl (optional): the role's ACL before an edit; `raised` lists
#   the modules the edit lets holders do more on (approval.rego)
#
# Returns the separation-of-duties pairs the ACL holds both sides of, the
# modules it would raise above the actor's own level, and modules above their
# ceiling (the audit log is read-only for everyone).
package authz

role_check := {
	"sod_violations": sort([p.name | some p in sod_violations]),
	"escalations": sort([m | some m in escalations]),
	"over_ceiling": sort([m | some m in over_ceiling]),
	"raised": sort([m | some m in raised]),
}

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

# Compared on every module either ACL names, "*" included: a role's wildcard
# reaches the modules the actor holds explicitly, and the actor's wildcard
# covers the modules the role names.
escalations contains module if {
	input.actor_acl != null
	some module in compared_modules
	not within(level_of(input.acl, module), level_of(input.actor_acl, module))
}

compared_modules contains module if some module, _ in input.acl

compared_modules contains module if some module, _ in input.actor_acl

# A level is within the actor's when the actor has it or more. CHECKER is a
# different power from RW (approve, never write): an administrator who holds
# RW on a module may appoint its checkers, as may a checker.
within("NA", _)

within("R", actor) if actor in {"R", "RW", "CHECKER"}

within("RW", "RW")

within("CHECKER", actor) if actor in {"RW", "CHECKER"}

over_ceiling contains module if {
	some module, ceiling in cfg.max_levels
	level := level_of(input.acl, module)
	not within(level, ceiling)
}
