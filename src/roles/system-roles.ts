// The three system roles every tenant starts with. Their ACLs use the "*"
// wildcard so modules added to the route table later are covered too.
import type { Acl, ContextType } from './role.entity.ts';

interface SodPairLike {
  a: { module: string; level: string };
  b: { module: string; level: string };
}

export const systemRoleNames: Record<ContextType, string> = {
  TENANT: 'Tenant Admin',
  RESELLER: 'Reseller Admin',
  MERCHANT: 'Merchant Admin',
};

const base: Record<ContextType, Acl> = {
  // RW everywhere, the audit log read-only, no CHECKER anywhere.
  TENANT: { '*': 'RW', audit: 'R', user_hard_delete: 'RW' },
  // Hard delete is the guides' "special ACL permission": only Tenant Admin holds it
  // by default; anyone else gets it through a role made for it (docs/domain.md#roles).
  RESELLER: { '*': 'RW', tenants: 'NA', audit: 'R', user_hard_delete: 'NA' },
  MERCHANT: { '*': 'RW', tenants: 'NA', resellers: 'NA', merchants: 'R', audit: 'R', user_hard_delete: 'NA' },
};

/**
 * A wildcard RW would hold both sides of an RW/RW separation-of-duties pair;
 * the second side is lowered to R so a system role never breaks a pair.
 */
export function systemRoleAcl(scope: ContextType, pairs: SodPairLike[]): Acl {
  const acl: Acl = { ...base[scope] };
  const level = (m: string) => acl[m] ?? acl['*'] ?? 'NA';
  for (const p of pairs) {
    if (level(p.a.module) === p.a.level && level(p.b.module) === p.b.level) acl[p.b.module] = 'R';
  }
  return acl;
}
