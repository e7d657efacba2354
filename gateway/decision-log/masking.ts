// DECISION_LOG_MASK: OPA's `erase` mask rules as configuration. Each entry is
// a JSON pointer (RFC 6901) into the event, under /input or /result, e.g.
// `/input/principal/product_ids`; the field is removed from every event and
// the event lists the configured pointers under `erased`, as OPA does. Masks
// are applied once per cached part (a principal, a context, a result), not
// once per event, so they cost nothing per request.
import { ConfigError } from '../../core/config/base.ts';

/** A mask rule split into its segments (pointer escapes decoded). */
export interface MaskRule {
  pointer: string;
  /** Segments after the first (`input` or `result`), e.g. ['principal', 'product_ids']. */
  path: string[];
  root: 'input' | 'result';
}

const decode = (s: string) => s.replaceAll('~1', '/').replaceAll('~0', '~');

/** Parses DECISION_LOG_MASK; a malformed pointer stops the gateway at boot with the variable's name. */
export function parseMasks(text: string): MaskRule[] {
  const rules: MaskRule[] = [];
  for (const raw of text.split(',')) {
    const pointer = raw.trim();
    if (pointer === '') continue;
    const segments = pointer.split('/');
    const root = segments[1];
    if (segments[0] !== '' || (root !== 'input' && root !== 'result') || segments.slice(2).some((s) => s === '')) {
      throw new ConfigError(`invalid configuration: DECISION_LOG_MASK: "${pointer}" is not a JSON pointer under /input or /result`);
    }
    rules.push({ pointer, root, path: segments.slice(2).map(decode) });
  }
  return rules;
}

/** Removes `path` from `value` (a plain JSON value, a fresh copy owned by the caller); absent paths are left alone. */
export function erase(value: unknown, path: readonly string[]): void {
  let node = value;
  for (let i = 0; i < path.length - 1; i++) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<string, unknown>)[path[i]!];
  }
  if (node !== null && typeof node === 'object' && !Array.isArray(node)) delete (node as Record<string, unknown>)[path.at(-1)!];
}

/** The JSON of `value` with every rule applied; `value` is copied first, never changed. */
export function maskedJson(value: unknown, paths: readonly (readonly string[])[]): string {
  if (paths.length === 0) return JSON.stringify(value);
  const copy = structuredClone(value);
  for (const p of paths) erase(copy, p);
  return JSON.stringify(copy);
}
