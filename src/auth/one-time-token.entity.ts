import { EntitySchema, OptionalProps } from '@mikro-orm/core';

export type OneTimeTokenKind = 'INVITATION' | 'EMAIL_VERIFICATION';

/** A secret link (invitation, email verification), stored as its SHA-256 and usable once. */
export class OneTimeToken {
  [OptionalProps]?: 'payload' | 'usedAt' | 'voidedAt' | 'createdAt';
  id!: string;
  kind!: OneTimeTokenKind;
  userId!: string;
  tokenHash!: string;
  payload: Record<string, unknown> = {};
  expiresAt!: Date;
  usedAt: Date | null = null;
  voidedAt: Date | null = null;
  createdAt: Date = new Date();
}

export const OneTimeTokenSchema = new EntitySchema<OneTimeToken>({
  class: OneTimeToken,
  tableName: 'one_time_tokens',
  properties: {
    id: { type: 'uuid', primary: true },
    kind: { type: 'string' },
    userId: { type: 'uuid' },
    tokenHash: { type: 'string', unique: true },
    payload: { type: 'json' },
    expiresAt: { type: 'Date' },
    usedAt: { type: 'Date', nullable: true },
    voidedAt: { type: 'Date', nullable: true },
    createdAt: { type: 'Date', onCreate: () => new Date() },
  },
});
