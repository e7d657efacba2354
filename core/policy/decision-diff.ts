// What makes two answers of authz/decision different for a caller: `allow`,
// the set of reasons, or a scope the upstream receives (merchant_id,
// merchant_scope, product_scope, gateway_ref_scope: the x-auth-* headers).
// The one comparison of the shadow rollout (gateway/policy/shadow.ts) and the
// replay (scripts/policy-replay/replay.ts), so a change the replay reports is
// one the shadow counts as a disagreement, and the other way round.
import type { DecisionResult } from './types.ts';

/** An answer as compared: reasons sorted, scopes only where the answer has them. */
export interface Outcome {
  allow: boolean;
  reasons: string[];
  merchant_id?: string;
  merchant_scope?: string;
  product_scope?: string;
  gateway_ref_scope?: string;
}

export const scopeFields = ['merchant_id', 'merchant_scope', 'product_scope', 'gateway_ref_scope'] as const;

/** A result as the engine returns it, or as a decision log recorded it (possibly with fields erased). */
export function outcomeOf(r: DecisionResult | Record<string, unknown>): Outcome {
  const out: Outcome = {
    allow: r.allow === true,
    reasons: Array.isArray(r.reasons) ? [...(r.reasons as unknown[])].map(String).sort() : [],
  };
  for (const f of scopeFields) {
    const v = (r as Record<string, unknown>)[f];
    if (typeof v === 'string') out[f] = v;
  }
  return out;
}

/** Fields of `old` that `now` answers differently; a scope `old` lacks (erased from a log) is not compared. */
export function differences(old: Outcome, now: Outcome): string[] {
  const fields: string[] = [];
  if (old.allow !== now.allow) fields.push('allow');
  if (old.reasons.join('\u0000') !== now.reasons.join('\u0000')) fields.push('reasons');
  for (const f of scopeFields) if (old[f] !== undefined && old[f] !== now[f]) fields.push(f);
  return fields;
}
