import { Type, type Static } from '@sinclair/typebox';
import { ContextTypeSchema, Timestamp } from '../http/schemas.ts';
import { AclSchema } from './acl.ts';
import type { Role } from './role.entity.ts';

export const RoleView = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  name: Type.String(),
  description: Type.String(),
  scope: ContextTypeSchema,
  ownerType: ContextTypeSchema,
  ownerId: Type.String(),
  acl: AclSchema,
  enabled: Type.Boolean(),
  system: Type.Boolean(),
  requireMfa: Type.Boolean(),
  /** Holders that are not deleted, among the users the caller sees. */
  activeUsersCount: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  version: Type.Integer(),
});

export function roleView(role: Role, activeUsersCount: number): Static<typeof RoleView> {
  return {
    id: role.id,
    tenantId: role.tenantId,
    name: role.name,
    description: role.description,
    scope: role.scope,
    ownerType: role.ownerType,
    ownerId: role.ownerId,
    acl: role.acl,
    enabled: role.enabled,
    system: role.system,
    requireMfa: role.requireMfa,
    activeUsersCount,
    createdAt: role.createdAt.toISOString(),
    updatedAt: role.updatedAt.toISOString(),
    version: role.version,
  };
}

/** What the audit log keeps of a role. */
export function roleAudit(role: Role): Record<string, unknown> {
  const { name, description, scope, ownerType, ownerId, acl, enabled, requireMfa } = role;
  return { name, description, scope, ownerType, ownerId, acl, enabled, requireMfa };
}
