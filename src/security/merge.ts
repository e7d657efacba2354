import type { SecuritySettings } from './settings.ts';

/** A PATCH of security settings: fields sent replace, fields not sent stay; passwordPolicy merges field by field. */
export function mergeSecurity(current: SecuritySettings, patch: SecuritySettings): SecuritySettings {
  const merged: SecuritySettings = { ...current, ...patch };
  if (patch.passwordPolicy) merged.passwordPolicy = { ...current.passwordPolicy, ...patch.passwordPolicy };
  return merged;
}
