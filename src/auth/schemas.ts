// TypeBox schemas shared by the authentication routes.
import { Type } from '@sinclair/typebox';

export const ContextTypeSchema = Type.Union([Type.Literal('TENANT'), Type.Literal('RESELLER'), Type.Literal('MERCHANT')]);

export const TokenPairSchema = Type.Object({
  accessToken: Type.String(),
  refreshToken: Type.String(),
  expiresIn: Type.Integer(),
  context: Type.Object({ type: ContextTypeSchema, id: Type.String() }),
});

/** Generous bounds: the policy, not the schema, answers too long (422 maxLength). */
export const PasswordSchema = Type.String({ minLength: 1, maxLength: 4096 });
export const SecretTokenSchema = Type.String({ minLength: 1, maxLength: 4096 });
export const CodeSchema = Type.String({ minLength: 1, maxLength: 64 });
export const EmailSchema = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' });
