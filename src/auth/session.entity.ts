import { EntitySchema, OptionalProps } from '@mikro-orm/core';
import type { ContextType } from '../roles/role.entity.ts';

/**
 * A login. Access tokens carry its id (`sid`); gateways check it on every
 * request, so revoking a session takes effect before the token expires.
 */
export class Session {
  [OptionalProps]?: 'createdAt' | 'revokedAt' | 'revokedReason';
  id!: string;
  userId!: string;
  tenantId!: string;
  contextType!: ContextType;
  contextId!: string;
  createdAt: Date = new Date();
  expiresAt!: Date;
  revokedAt: Date | null = null;
  revokedReason: string | null = null;
}

export const SessionSchema = new EntitySchema<Session>({
  class: Session,
  tableName: 'sessions',
  properties: {
    id: { type: 'uuid', primary: true },
    userId: { type: 'uuid' },
    tenantId: { type: 'string' },
    contextType: { type: 'string' },
    contextId: { type: 'string' },
    createdAt: { type: 'Date', onCreate: () => new Date() },
    expiresAt: { type: 'Date' },
    revokedAt: { type: 'Date', nullable: true },
    revokedReason: { type: 'string', nullable: true },
  },
});

/** A refresh token, stored as its SHA-256. A rotated one presented again revokes the session. */
export class RefreshToken {
  [OptionalProps]?: 'createdAt' | 'rotatedAt';
  tokenHash!: string;
  sessionId!: string;
  createdAt: Date = new Date();
  rotatedAt: Date | null = null;
}

export const RefreshTokenSchema = new EntitySchema<RefreshToken>({
  class: RefreshToken,
  tableName: 'refresh_tokens',
  properties: {
    tokenHash: { type: 'string', primary: true },
    sessionId: { type: 'uuid' },
    createdAt: { type: 'Date', onCreate: () => new Date() },
    rotatedAt: { type: 'Date', nullable: true },
  },
});
