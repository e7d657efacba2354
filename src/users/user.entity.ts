import { EntitySchema, OptionalProps } from '@mikro-orm/core';
import type { ContextType } from '../roles/role.entity.ts';

export type UserStatus = 'INVITED' | 'ACTIVE' | 'DISABLED' | 'SOFT_DEL';

/** A person at one level of the hierarchy. Emails are unique across tenants (login names no tenant). */
export class User {
  [OptionalProps]?: 'resellerId' | 'merchantId' | 'merchantsAccess' | 'productIds' | 'gatewayRefIds' | 'status' | 'passwordHash' | 'passwordHistory' | 'passwordChangedAt' | 'mfaEnrolled' | 'totpSecretEnc' | 'recoveryCodes' | 'lockedUntil' | 'createdById' | 'createdAt' | 'updatedAt' | 'version';
  id!: string;
  tenantId!: string;
  email!: string;
  type!: ContextType;
  /** A reseller user's reseller; for a merchant user, its merchant's reseller (merchants never move). */
  resellerId: string | null = null;
  merchantId: string | null = null;
  roleId!: string;
  /** `[]` means every merchant of the user's home scope (docs/domain.md#merchant-access). */
  merchantsAccess: string[] = [];
  productIds: string[] = [];
  gatewayRefIds: string[] = [];
  status: UserStatus = 'INVITED';
  passwordHash: string | null = null;
  /** argon2 hashes of previous passwords, newest first. */
  passwordHistory: string[] = [];
  passwordChangedAt: Date | null = null;
  mfaEnrolled = false;
  /** AES-256-GCM ciphertext of the TOTP secret (iv.tag.data, base64url). */
  totpSecretEnc: string | null = null;
  /** Hashes of unused recovery codes. */
  recoveryCodes: string[] = [];
  lockedUntil: Date | null = null;
  createdById: string | null = null;
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
  version!: number;
}

export const UserSchema = new EntitySchema<User>({
  class: User,
  tableName: 'users',
  properties: {
    id: { type: 'uuid', primary: true },
    tenantId: { type: 'string' },
    email: { type: 'string' },
    type: { type: 'string' },
    resellerId: { type: 'string', nullable: true },
    merchantId: { type: 'string', nullable: true },
    roleId: { type: 'uuid' },
    merchantsAccess: { type: 'string[]' },
    productIds: { type: 'string[]' },
    gatewayRefIds: { type: 'string[]' },
    status: { type: 'string' },
    passwordHash: { type: 'string', nullable: true, lazy: true },
    passwordHistory: { type: 'string[]', lazy: true },
    passwordChangedAt: { type: 'Date', nullable: true },
    mfaEnrolled: { type: 'boolean' },
    totpSecretEnc: { type: 'string', nullable: true, lazy: true },
    recoveryCodes: { type: 'string[]', lazy: true },
    lockedUntil: { type: 'Date', nullable: true },
    createdById: { type: 'uuid', nullable: true },
    createdAt: { type: 'Date', onCreate: () => new Date() },
    updatedAt: { type: 'Date', onCreate: () => new Date(), onUpdate: () => new Date() },
    version: { type: 'integer', version: true },
  },
});
