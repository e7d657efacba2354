// Text PostgreSQL cannot keep as sent: NUL (text columns refuse it, jsonb
// refuses \u0000, and the statement fails as a 500) and unpaired UTF-16
// surrogates (no Unicode character at all: the driver would store U+FFFD and
// silently change the value). Neither belongs in a name, an email, an id or a
// token, so a request carrying one anywhere (path, query, body, keys
// included) is refused with 400 VALIDATION_FAILED before a route reads it.
// OWASP ASVS 4.0.3 V5.1.3/V5.1.4 (input validated, structured data checked),
// ASVS 5.0 V1.3.x; CWE-158 (NUL), CWE-176 (Unicode encoding).
import type { FastifyRequest } from 'fastify';
import { badRequest } from '../../core/http/errors.ts';

// eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for.
const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether any string in `value` (keys too) is unstorable. Iterative: a deeply nested body cannot overflow the stack. */
export function hasUnstorableText(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (unstorable.test(v)) return true;
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        if (unstorable.test(k)) return true;
        stack.push(item);
      }
    }
  }
  return false;
}

/** preValidation hook of the control plane. */
export async function refuseUnstorableText(request: FastifyRequest): Promise<void> {
  if (hasUnstorableText(request.params) || hasUnstorableText(request.query) || hasUnstorableText(request.body)) {
    throw badRequest('the request contains a NUL or an unpaired surrogate character');
  }
}
