import { EntitySchema, OptionalProps } from '@mikro-orm/core';

export type ApprovalStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'EXPIRED' | 'EXECUTED' | 'FAILED';

/**
 * A maker's request waiting for a checker: a stored downstream request
 * (GATEWAY) or a control-plane action (CONTROL_PLANE). No credentials kept.
 */
export class Approval {
  [OptionalProps]?: 'merchantId' | 'request' | 'status' | 'checkerId' | 'reason' | 'result' | 'decidedAt' | 'createdAt' | 'version';
  id!: string;
  tenantId!: string;
  kind!: 'GATEWAY' | 'CONTROL_PLANE';
  module!: string;
  merchantId: string | null = null;
  makerId!: string;
  makerContextType!: string;
  makerContextId!: string;
  /** GATEWAY: {method, path, query, headers, body, contentType, upstream}; CONTROL_PLANE: {action, targetId, params}. */
  request: Record<string, unknown> = {};
  status: ApprovalStatus = 'PENDING';
  checkerId: string | null = null;
  reason: string | null = null;
  result: Record<string, unknown> | null = null;
  expiresAt!: Date;
  decidedAt: Date | null = null;
  createdAt: Date = new Date();
  version!: number;
}

export const ApprovalSchema = new EntitySchema<Approval>({
  class: Approval,
  tableName: 'approvals',
  properties: {
    id: { type: 'uuid', primary: true },
    tenantId: { type: 'string' },
    kind: { type: 'string' },
    module: { type: 'string' },
    merchantId: { type: 'string', nullable: true },
    makerId: { type: 'uuid' },
    makerContextType: { type: 'string' },
    makerContextId: { type: 'string' },
    request: { type: 'json' },
    status: { type: 'string' },
    checkerId: { type: 'uuid', nullable: true },
    reason: { type: 'string', nullable: true },
    result: { type: 'json', nullable: true },
    expiresAt: { type: 'Date' },
    decidedAt: { type: 'Date', nullable: true },
    createdAt: { type: 'Date', onCreate: () => new Date() },
    version: { type: 'integer', version: true },
  },
});
