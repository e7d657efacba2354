// Which screens the context and effective ACL allow (docs/console.md: a link or an
// action the caller may not use is not offered).
import type { Me } from '../api/types';
import { allows } from './acl';

export interface Section {
  label: string;
  path: string;
}

export function sectionsFor(me: Me): Section[] {
  const { acl, context } = me;
  const sections: Section[] = [];
  if (allows(acl, 'users', 'R')) sections.push({ label: 'Users', path: '/users' });
  if (allows(acl, 'roles', 'R')) sections.push({ label: 'Roles', path: '/roles' });
  if (context.type !== 'MERCHANT' && allows(acl, 'merchants', 'R')) sections.push({ label: 'Merchants', path: '/merchants' });
  if (context.type === 'TENANT' && allows(acl, 'resellers', 'R')) sections.push({ label: 'Resellers', path: '/resellers' });
  if (allows(acl, 'approvals', 'R')) sections.push({ label: 'Approvals', path: '/approvals' });
  if (allows(acl, 'audit', 'R')) sections.push({ label: 'Audit log', path: '/audit' });
  sections.push({ label: 'Settings', path: '/settings' });
  return sections;
}

/** Tenant security and approval settings: tenants RW in TENANT context. */
export const managesTenant = (me: Me) => me.context.type === 'TENANT' && allows(me.acl, 'tenants', 'RW');

/** Updating merchant access (docs/domain.md#creation): tenants RW in TENANT, resellers RW in RESELLER, never in MERCHANT. */
export function managesMerchantAccess(me: Me): boolean {
  if (me.context.type === 'TENANT') return allows(me.acl, 'tenants', 'RW');
  if (me.context.type === 'RESELLER') return allows(me.acl, 'resellers', 'RW');
  return false;
}
