import { EntitySchema, OptionalProps } from '@mikro-orm/core';

export interface MerchantSettings {
  mfaRequired?: boolean;
  merchantTrack?: string;
  integrationTypes?: string[];
  industry?: string;
}

/** A merchant belongs to its tenant directly or to exactly one reseller. */
export class Merchant {
  [OptionalProps]?: 'resellerId' | 'settings' | 'platforms' | 'products' | 'createdAt' | 'updatedAt' | 'version';
  id!: string;
  tenantId!: string;
  resellerId: string | null = null;
  name!: string;
  email!: string;
  country!: string;
  settings: MerchantSettings = {};
  platforms: string[] = [];
  products: string[] = [];
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
  version!: number;
}

export const MerchantSchema = new EntitySchema<Merchant>({
  class: Merchant,
  tableName: 'merchants',
  properties: {
    id: { type: 'string', primary: true },
    tenantId: { type: 'string' },
    resellerId: { type: 'string', nullable: true },
    name: { type: 'string' },
    email: { type: 'string' },
    country: { type: 'string' },
    settings: { type: 'json' },
    platforms: { type: 'string[]' },
    products: { type: 'string[]' },
    createdAt: { type: 'Date', onCreate: () => new Date() },
    updatedAt: { type: 'Date', onCreate: () => new Date(), onUpdate: () => new Date() },
    version: { type: 'integer', version: true },
  },
});
