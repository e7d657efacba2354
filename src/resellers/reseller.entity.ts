import { EntitySchema, OptionalProps } from '@mikro-orm/core';
import type { SecuritySettings } from '../security/settings.ts';

/** A reseller serves a portfolio of the tenant's merchants. */
export class Reseller {
  [OptionalProps]?: 'security' | 'gateways' | 'createdAt' | 'updatedAt' | 'version';
  id!: string;
  tenantId!: string;
  name!: string;
  email!: string;
  type!: string;
  security: SecuritySettings = {};
  /** Payment gateways assigned to the reseller; its merchants inherit them. */
  gateways: string[] = [];
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
  version!: number;
}

export const ResellerSchema = new EntitySchema<Reseller>({
  class: Reseller,
  tableName: 'resellers',
  properties: {
    id: { type: 'string', primary: true },
    tenantId: { type: 'string' },
    name: { type: 'string' },
    email: { type: 'string' },
    type: { type: 'string' },
    security: { type: 'json' },
    gateways: { type: 'string[]' },
    createdAt: { type: 'Date', onCreate: () => new Date() },
    updatedAt: { type: 'Date', onCreate: () => new Date(), onUpdate: () => new Date() },
    version: { type: 'integer', version: true },
  },
});
