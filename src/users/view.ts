import { Type, type Static } from '@sinclair/typebox';
import { PageOf, PageQuery } from '../http/pagination.ts';
import { ContextTypeSchema, IdParams, Nullable, Timestamp, bearer, errorResponses } from '../http/schemas.ts';
import type { TargetUserInput } from '../../core/policy/types.ts';
import type { User } from './user.entity.ts';

export const UserStatusSchema = Type.Union([Type.Literal('INVITED'), Type.Literal('ACTIVE'), Type.Literal('DISABLED'), Type.Literal('SOFT_DEL')]);

export const UserView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  type: ContextTypeSchema,
  tenantId: Type.String(),
  resellerId: Nullable(Type.String()),
  merchantId: Nullable(Type.String()),
  roleId: Type.String(),
  merchantsAccess: Type.Array(Type.String()),
  productIds: Type.Array(Type.String()),
  gatewayRefIds: Type.Array(Type.String()),
  status: UserStatusSchema,
  /** false while DISABLED or SOFT_DEL. */
  enabled: Type.Boolean(),
  mfaEnrolled: Type.Boolean(),
  lockedUntil: Nullable(Timestamp),
  createdById: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  version: Type.Integer(),
});

export type UserViewT = Static<typeof UserView>;

/** The API's view of a user: never a password hash, TOTP secret or recovery code. */
export function userView(u: User): UserViewT {
  return {
    id: u.id,
    email: u.email,
    type: u.type,
    tenantId: u.tenantId,
    resellerId: u.resellerId,
    merchantId: u.merchantId,
    roleId: u.roleId,
    merchantsAccess: u.merchantsAccess,
    productIds: u.productIds,
    gatewayRefIds: u.gatewayRefIds,
    status: u.status,
    enabled: u.status !== 'DISABLED' && u.status !== 'SOFT_DEL',
    mfaEnrolled: u.mfaEnrolled,
    lockedUntil: u.lockedUntil?.toISOString() ?? null,
    createdById: u.createdById,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
    version: u.version,
  };
}

/** What the audit log keeps of a user (no secrets). */
export function userAudit(u: User): Record<string, unknown> {
  const { email, type, resellerId, merchantId, roleId, merchantsAccess, productIds, gatewayRefIds, status } = u;
  return { email, type, resellerId, merchantId, roleId, merchantsAccess, productIds, gatewayRefIds, status };
}

/** The policy's view of the user acted on (policies/authz/admin_targets.rego). */
export function targetFact(u: Pick<User, 'id' | 'type' | 'tenantId' | 'resellerId' | 'merchantId'>): TargetUserInput {
  return { id: u.id, type: u.type, tenant_id: u.tenantId, reseller_id: u.resellerId ?? '', merchant_id: u.merchantId ?? '' };
}

/** The schema of GET /v1/<owners>/:id/users: a page of a reseller's or merchant's users the caller sees. */
export function ownedUsersSchema(tag: string, summary: string) {
  return {
    tags: [tag],
    summary,
    security: bearer,
    params: IdParams,
    querystring: Type.Object(PageQuery, { additionalProperties: false }),
    response: { 200: PageOf(UserView), ...errorResponses(400, 403, 404) },
  };
}
