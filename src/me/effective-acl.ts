// The caller's effective ACL, as the policy reads it (policies/authz/levels.rego):
// a module's own entry, else the role's "*" entry, else NA — expanded over the
// module catalogue so clients need not know the wildcard. A disabled or
// missing role grants nothing.
import type { Acl, Level } from '../roles/role.entity.ts';

export function effectiveAcl(acl: Acl | null, enabled: boolean, modules: string[]): Record<string, Level> {
  const out: Record<string, Level> = {};
  for (const m of modules) out[m] = enabled && acl ? (acl[m] ?? acl['*'] ?? 'NA') : 'NA';
  // Modules named by the role but not (yet) in the catalogue still show.
  if (enabled && acl) for (const [m, level] of Object.entries(acl)) if (m !== '*' && !(m in out)) out[m] = level;
  return out;
}
