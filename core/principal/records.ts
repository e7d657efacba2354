// The compact records a decision needs, shaped for caching: a role edit
// touches one role record, never every holder's.
import type { Acl, ContextType } from './access.ts';

/** The kinds of principal record; each is cached, and announced when it changes, on its own. */
export type RecordKind = 'user' | 'role' | 'session' | 'merchant';

export interface UserRecord {
  id: string;
  tenantId: string;
  type: ContextType;
  resellerId: string | null;
  merchantId: string | null;
  roleId: string;
  status: string;
  merchantsAccess: string[];
  /** Reseller of each listed merchant ("" for direct ones), for scope headers. */
  merchantResellers: Record<string, string>;
  productIds: string[];
  gatewayRefIds: string[];
}

export interface RoleRecord {
  id: string;
  tenantId: string;
  enabled: boolean;
  acl: Acl;
}

export interface SessionRecord {
  id: string;
  userId: string;
  active: boolean;
  expiresAt: number;
}

export interface MerchantRecordCached {
  id: string;
  tenantId: string;
  resellerId: string | null;
}
