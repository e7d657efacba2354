import { Type, type Static } from '@sinclair/typebox';
import { Email, EntityId, IdList, Timestamp } from '../http/schemas.ts';
import { badRequest } from '../../core/http/errors.ts';
import type { SecuritySettings } from '../security/settings.ts';
import type { Reseller } from './reseller.entity.ts';

/** Security settings a reseller overrides field by field over its tenant's (docs/domain.md#passwords). */
export const SecuritySettingsSchema = Type.Object(
  {
    mfaRequired: Type.Optional(Type.Boolean()),
    maxLoginAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    lockoutMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_080 })),
    passwordPolicy: Type.Optional(
      Type.Object(
        {
          minLength: Type.Optional(Type.Integer({ minimum: 8, maximum: 128 })),
          maxLength: Type.Optional(Type.Integer({ minimum: 8, maximum: 128 })),
          requireUpper: Type.Optional(Type.Boolean()),
          requireLower: Type.Optional(Type.Boolean()),
          requireDigit: Type.Optional(Type.Boolean()),
          requireSymbol: Type.Optional(Type.Boolean()),
          historySize: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 })),
          expiryDays: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 3650 }), Type.Null()])),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export function checkSecuritySettings(security: SecuritySettings | undefined): void {
  const p = security?.passwordPolicy;
  if (p?.minLength !== undefined && p.maxLength !== undefined && p.minLength > p.maxLength) {
    throw badRequest('passwordPolicy.minLength is above passwordPolicy.maxLength');
  }
}

export const CreateResellerBody = Type.Object(
  {
    id: EntityId,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Email,
    type: Type.String({ minLength: 1, maxLength: 64 }),
    security: Type.Optional(SecuritySettingsSchema),
    gateways: Type.Optional(IdList(200)),
  },
  { additionalProperties: false },
);

export const ResellerView = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  name: Type.String(),
  email: Type.String(),
  type: Type.String(),
  security: SecuritySettingsSchema,
  /** Payment gateways assigned to the reseller; its merchants inherit them. */
  gateways: Type.Array(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  version: Type.Integer(),
});

export function resellerView(r: Reseller): Static<typeof ResellerView> {
  return {
    id: r.id,
    tenantId: r.tenantId,
    name: r.name,
    email: r.email,
    type: r.type,
    security: r.security,
    gateways: r.gateways,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    version: r.version,
  };
}

export function resellerAudit(r: Reseller): Record<string, unknown> {
  const { name, email, type, security, gateways } = r;
  return { name, email, type, security, gateways };
}
