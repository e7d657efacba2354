// The digest OPA signs for a structured bundle file (v1/bundle/hash.go): the
// file is parsed and hashed as `{` key `:` value `,` … `}` with the keys in
// byte order, arrays as `[` … `]`, strings as Go's JSON encoder writes them
// (without HTML escaping) and numbers as their literal text (OPA parses with
// json.Number). So the signature does not depend on whitespace or key order.
import { createHash, type Hash } from 'node:crypto';

/** A number as written in the file: OPA hashes the literal, not a float's rendering. */
class NumberLiteral {
  constructor(readonly text: string) {}
}

/** Digest of `text`'s canonical form with a node:crypto hash name (`sha256`). Throws when `text` is not JSON. */
export function canonicalJsonHash(text: string, algorithm: string): Buffer {
  // JSON.parse's reviver gets the number's source text (Node ≥ 21); without it, the shortest rendering.
  const value: unknown = JSON.parse(text, (_key, v: unknown, context?: { source?: string }) =>
    typeof v === 'number' ? new NumberLiteral(context?.source ?? String(v)) : v);
  const hash = createHash(algorithm);
  walk(value, hash);
  return hash.digest();
}

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function walk(v: unknown, h: Hash): void {
  if (v instanceof NumberLiteral) {
    h.update(v.text);
  } else if (Array.isArray(v)) {
    h.update('[');
    v.forEach((e, i) => {
      if (i > 0) h.update(',');
      walk(e, h);
    });
    h.update(']');
  } else if (v !== null && typeof v === 'object') {
    h.update('{');
    Object.keys(v).sort(byBytes).forEach((k, i) => {
      if (i > 0) h.update(',');
      h.update(goString(k));
      h.update(':');
      walk((v as Record<string, unknown>)[k], h);
    });
    h.update('}');
  } else if (typeof v === 'string') {
    h.update(goString(v));
  } else {
    h.update(JSON.stringify(v)); // true, false, null
  }
}

/** Go's encoding/json string (SetEscapeHTML(false)): JSON.stringify's, plus U+2028 and U+2029 escaped. */
function goString(s: string): string {
  return JSON.stringify(s).replace(/[\u2028\u2029]/g, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'));
}
