// The API's view of an approval, and what the audit log keeps of one.
import { Type, type Static } from '@sinclair/typebox';
import { ContextTypeSchema, Nullable, Timestamp } from '../http/schemas.ts';
import type { Approval } from './approval.entity.ts';

export const ApprovalStatusSchema = Type.Union([
  Type.Literal('PENDING'),
  Type.Literal('APPROVED'),
  Type.Literal('REJECTED'),
  Type.Literal('EXPIRED'),
  Type.Literal('EXECUTED'),
  Type.Literal('FAILED'),
]);

const Json = Type.Object({}, { additionalProperties: true });

export const ApprovalView = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  kind: Type.Union([Type.Literal('GATEWAY'), Type.Literal('CONTROL_PLANE')]),
  module: Type.String(),
  merchantId: Nullable(Type.String()),
  makerId: Type.String(),
  makerContext: Type.Object({ type: ContextTypeSchema, id: Type.String() }),
  /** GATEWAY: the stored request (method, path, query, headers, body, …); CONTROL_PLANE: the action. */
  request: Json,
  status: ApprovalStatusSchema,
  checkerId: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  /** After approval: the upstream's status and (bounded) body, or why it failed. */
  result: Nullable(Json),
  expiresAt: Timestamp,
  decidedAt: Nullable(Timestamp),
  createdAt: Timestamp,
  version: Type.Integer(),
});

export const ApprovalPending = Type.Object({
  approvalId: Type.String(),
  status: Type.Literal('PENDING'),
  expiresAt: Timestamp,
});

export function approvalView(a: Approval): Static<typeof ApprovalView> {
  return {
    id: a.id,
    tenantId: a.tenantId,
    kind: a.kind,
    module: a.module,
    merchantId: a.merchantId,
    makerId: a.makerId,
    makerContext: { type: a.makerContextType as 'TENANT' | 'RESELLER' | 'MERCHANT', id: a.makerContextId },
    request: a.request,
    status: a.status,
    checkerId: a.checkerId,
    reason: a.reason,
    result: a.result,
    expiresAt: a.expiresAt.toISOString(),
    decidedAt: a.decidedAt?.toISOString() ?? null,
    createdAt: a.createdAt.toISOString(),
    version: a.version,
  };
}

export function pendingView(a: Approval): Static<typeof ApprovalPending> {
  return { approvalId: a.id, status: 'PENDING', expiresAt: a.expiresAt.toISOString() };
}
