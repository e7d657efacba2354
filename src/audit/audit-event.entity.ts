import { EntitySchema, OptionalProps } from '@mikro-orm/core';

/** One mutation, written in the same transaction as the mutation itself. */
export class AuditEvent {
  [OptionalProps]?: 'actorId' | 'contextType' | 'contextId' | 'before' | 'after' | 'requestId' | 'clientRequestId' | 'createdAt';
  id!: string;
  tenantId!: string;
  actorId: string | null = null;
  contextType: string | null = null;
  contextId: string | null = null;
  action!: string;
  targetType!: string;
  targetId!: string;
  before: Record<string, unknown> | null = null;
  after: Record<string, unknown> | null = null;
  /** The server's id of the request (never a client's). */
  requestId: string | null = null;
  /** The X-Request-Id the client sent, if usable: correlation only. */
  clientRequestId: string | null = null;
  createdAt: Date = new Date();
}

export const AuditEventSchema = new EntitySchema<AuditEvent>({
  class: AuditEvent,
  tableName: 'audit_events',
  properties: {
    id: { type: 'uuid', primary: true },
    tenantId: { type: 'string' },
    actorId: { type: 'uuid', nullable: true },
    contextType: { type: 'string', nullable: true },
    contextId: { type: 'string', nullable: true },
    action: { type: 'string' },
    targetType: { type: 'string' },
    targetId: { type: 'string' },
    before: { type: 'json', nullable: true },
    after: { type: 'json', nullable: true },
    requestId: { type: 'string', nullable: true },
    clientRequestId: { type: 'string', nullable: true },
    createdAt: { type: 'Date', onCreate: () => new Date() },
  },
});
