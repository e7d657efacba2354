# Permission levels and what each grants.
# NA < R < RW; CHECKER reads and approves but never writes, so a checker can
# not be the maker of the requests it approves.
package authz

cfg := data.authz_config

# The level a role's ACL gives a module: its own entry, else the wildcard "*"
# (used by system roles so new modules are covered), else NA.
level_of(acl, module) := acl[module]

level_of(acl, module) := object.get(acl, "*", "NA") if not acl[module]

grants(level, "read") if level in {"R", "RW", "CHECKER"}

grants("RW", "write")

grants("CHECKER", "approve")

# Whether a level satisfies a required level (used by admin operations).
satisfies(level, "R") if grants(level, "read")

satisfies("RW", "RW")

satisfies("CHECKER", "CHECKER")
