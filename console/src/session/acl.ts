// What the effective ACL of GET /v1/me allows, mirroring the policy's levels
// (policies/authz/levels.rego): R is granted by R, RW and CHECKER; RW only by RW.
import type { Acl, Level } from '../api/types';

export const LEVELS: Level[] = ['NA', 'R', 'RW', 'CHECKER'];

export function levelOf(acl: Acl, module: string): Level {
  return acl[module] ?? acl['*'] ?? 'NA';
}

export function allows(acl: Acl, module: string, needed: 'R' | 'RW' | 'CHECKER'): boolean {
  const level = levelOf(acl, module);
  if (needed === 'R') return level === 'R' || level === 'RW' || level === 'CHECKER';
  return level === needed;
}

/** Whether an actor holding `actor` may grant `level` (role_check.rego `within`). */
export function within(level: Level, actor: Level): boolean {
  switch (level) {
    case 'NA':
      return true;
    case 'R':
      return actor === 'R' || actor === 'RW' || actor === 'CHECKER';
    case 'RW':
      return actor === 'RW';
    case 'CHECKER':
      return actor === 'RW' || actor === 'CHECKER';
  }
}
