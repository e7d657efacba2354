import { EntitySchema, OptionalProps } from '@mikro-orm/core';
import type { SecuritySettings } from '../security/settings.ts';

/** The root of a hierarchy: a bank or processor. Nothing ever crosses tenants. */
export class Tenant {
  [OptionalProps]?: 'security' | 'approvals' | 'createdAt' | 'updatedAt' | 'version';
  id!: string;
  name!: string;
  security: SecuritySettings = {};
  /** Actions that need a checker in the control plane (issue: maker-checker). */
  approvals: { hardDeleteUser?: boolean; roleLevelRaise?: boolean } = {};
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
  version!: number;
}

export const TenantSchema = new EntitySchema<Tenant>({
  class: Tenant,
  tableName: 'tenants',
  properties: {
    id: { type: 'string', primary: true },
    name: { type: 'string' },
    security: { type: 'json' },
    approvals: { type: 'json' },
    createdAt: { type: 'Date', onCreate: () => new Date() },
    updatedAt: { type: 'Date', onCreate: () => new Date(), onUpdate: () => new Date() },
    version: { type: 'integer', version: true },
  },
});
