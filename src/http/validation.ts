// Request validation with two Ajv configurations: query strings and path
// params arrive as text, so their schemas coerce ("10" → 10, one value → a
// list); JSON bodies are already typed, so theirs do not. Coercing bodies
// accepted {"hardDeleteUser": null} as false, {"productIds": "x"} as ["x"] and
// {"name": 12345} as "12345": a client's mistake or an attacker's probe became
// a write. OWASP ASVS 4.0.3 V5.1.4 (structured data strongly typed), V13.2.2;
// ASVS 5.0 V2.2.1; OWASP API Security Top 10 2023 API3.
import AjvCompiler, { type ValidatorFactory } from '@fastify/ajv-compiler';
import type { FastifyRouteSchemaDef, FastifySchema, FastifyValidationResult } from 'fastify/types/schema.js';

type Compile = (route: FastifyRouteSchemaDef<FastifySchema>) => FastifyValidationResult;
type Options = { customOptions?: Record<string, unknown> } & Record<string, unknown>;

/** Fastify's own compiler (same options, same pool), without type coercion for bodies. */
export function strictBodyValidator(): ValidatorFactory {
  const fromPool = AjvCompiler() as unknown as (externalSchemas: unknown, options: Options) => Compile;
  const factory = (externalSchemas: unknown, options: Options = {}): Compile => {
    const coercing = fromPool(externalSchemas, options);
    const strict = fromPool(externalSchemas, { ...options, customOptions: { ...options.customOptions, coerceTypes: false } });
    return (route) => (route.httpPart === 'body' ? strict : coercing)(route);
  };
  return factory as unknown as ValidatorFactory;
}
