import { Type, type Static } from '@sinclair/typebox';
import { Timestamp } from '../http/schemas.ts';
import { SecuritySettingsSchema } from '../resellers/view.ts';
import { effectiveSecurity } from '../security/settings.ts';
import type { Tenant } from './tenant.entity.ts';

/** Which control-plane actions need a checker (src/approvals). */
export const TenantApprovalSettings = Type.Object(
  { hardDeleteUser: Type.Boolean(), roleLevelRaise: Type.Boolean() },
  { additionalProperties: false },
);

/** The tenant's security as PATCH takes it: the per-tenant settings plus its approval settings. */
export const TenantSecurityPatch = Type.Object(
  {
    ...SecuritySettingsSchema.properties,
    approvals: Type.Optional(Type.Partial(TenantApprovalSettings, { additionalProperties: false })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const UpdateTenantBody = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), security: Type.Optional(TenantSecurityPatch) },
  { additionalProperties: false, minProperties: 1 },
);

const EffectiveSecurity = Type.Object({
  mfaRequired: Type.Boolean(),
  maxLoginAttempts: Type.Integer(),
  lockoutMinutes: Type.Integer(),
  passwordPolicy: Type.Object({
    minLength: Type.Integer(),
    maxLength: Type.Integer(),
    requireUpper: Type.Boolean(),
    requireLower: Type.Boolean(),
    requireDigit: Type.Boolean(),
    requireSymbol: Type.Boolean(),
    historySize: Type.Integer(),
    expiryDays: Type.Union([Type.Integer(), Type.Null()]),
  }),
});

export const TenantView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** What the tenant set; absent fields take the product's defaults. */
  security: SecuritySettingsSchema,
  /** What applies: the settings over the defaults (resellers may override per field). */
  effectiveSecurity: EffectiveSecurity,
  approvals: TenantApprovalSettings,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  version: Type.Integer(),
});

export const approvalSettingsOf = (t: Tenant) => ({
  hardDeleteUser: t.approvals.hardDeleteUser === true,
  roleLevelRaise: t.approvals.roleLevelRaise === true,
});

export function tenantView(t: Tenant): Static<typeof TenantView> {
  return {
    id: t.id,
    name: t.name,
    security: t.security,
    effectiveSecurity: effectiveSecurity(t.security),
    approvals: approvalSettingsOf(t),
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    version: t.version,
  };
}

/** Before/after of an audit event: never a secret here, only settings. */
export function tenantAudit(t: Tenant): Record<string, unknown> {
  return { name: t.name, security: t.security, approvals: approvalSettingsOf(t) };
}
