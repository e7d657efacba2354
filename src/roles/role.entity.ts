import { EntitySchema, OptionalProps } from '@mikro-orm/core';

import type { Acl, ContextType } from '../../core/principal/access.ts';

export type { Acl, ContextType, Level } from '../../core/principal/access.ts';

/**
 * A named ACL. `scope` is the user type it may be assigned to; `owner` is the
 * entity whose administrators defined it (and who see and edit it).
 */
export class Role {
  [OptionalProps]?: 'description' | 'acl' | 'enabled' | 'system' | 'requireMfa' | 'createdAt' | 'updatedAt' | 'version';
  id!: string;
  tenantId!: string;
  name!: string;
  description = '';
  scope!: ContextType;
  ownerType!: ContextType;
  ownerId!: string;
  acl: Acl = {};
  enabled = true;
  /** System roles (Tenant/Reseller/Merchant Admin) can be cloned, never edited. */
  system = false;
  requireMfa = false;
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
  version!: number;
}

export const RoleSchema = new EntitySchema<Role>({
  class: Role,
  tableName: 'roles',
  properties: {
    id: { type: 'uuid', primary: true },
    tenantId: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    scope: { type: 'string' },
    ownerType: { type: 'string' },
    ownerId: { type: 'string' },
    acl: { type: 'json' },
    enabled: { type: 'boolean' },
    system: { type: 'boolean' },
    requireMfa: { type: 'boolean' },
    createdAt: { type: 'Date', onCreate: () => new Date() },
    updatedAt: { type: 'Date', onCreate: () => new Date(), onUpdate: () => new Date() },
    version: { type: 'integer', version: true },
  },
});
