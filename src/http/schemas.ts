// TypeBox pieces every admin route shares. The schemas are the API's
// documentation too: @fastify/swagger turns them into /docs.
import { Type, type TSchema } from '@sinclair/typebox';

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const ContextTypeSchema = Type.Union([Type.Literal('TENANT'), Type.Literal('RESELLER'), Type.Literal('MERCHANT')]);

/** Ids of tenants, resellers and merchants are chosen by their creator (README). */
export const EntityId = Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' });

export const Email = Type.String({ format: 'email', maxLength: 254 });

export const Timestamp = Type.String({ format: 'date-time' });

/**
 * The body of an action that takes none: absent, `null` or `{}`. Anything
 * else is refused (400), so a field sent there is never silently ignored
 * (mass assignment, OWASP API3:2023).
 */
export const NoBody = Type.Union([Type.Null(), Type.Object({}, { additionalProperties: false })]);

/** A path id: matched against the store, so a malformed one is simply not found (404). */
export const IdParams = Type.Object({ id: Type.String({ maxLength: 128 }) });

/** A list of distinct strings (merchant ids, product ids, …). */
export const IdList = (max = 1000) => Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: max, uniqueItems: true });

/** Every error answers {statusCode, error, code, message}, sometimes with details. */
export const ErrorResponse = Type.Object(
  { statusCode: Type.Integer(), error: Type.String(), code: Type.String(), message: Type.String() },
  { additionalProperties: true },
);

export function errorResponses(...statuses: number[]): Record<number, typeof ErrorResponse> {
  return Object.fromEntries([401, ...statuses].map((s) => [s, ErrorResponse]));
}

export const bearer = [{ bearer: [] }];
