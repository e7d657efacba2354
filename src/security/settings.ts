/**
 * Security settings a tenant sets and a reseller may override (docs/domain.md#passwords).
 * Absent fields inherit: reseller → tenant → the defaults below.
 */
export interface PasswordPolicy {
  minLength?: number;
  maxLength?: number;
  requireUpper?: boolean;
  requireLower?: boolean;
  requireDigit?: boolean;
  requireSymbol?: boolean;
  historySize?: number;
  expiryDays?: number | null;
}

export interface SecuritySettings {
  mfaRequired?: boolean;
  maxLoginAttempts?: number;
  lockoutMinutes?: number;
  passwordPolicy?: PasswordPolicy;
}

export const defaultPasswordPolicy: Required<PasswordPolicy> = {
  minLength: 12,
  maxLength: 128,
  requireUpper: false,
  requireLower: false,
  requireDigit: false,
  requireSymbol: false,
  historySize: 5,
  expiryDays: null,
};

export const defaultSecurity = {
  mfaRequired: false,
  maxLoginAttempts: 5,
  lockoutMinutes: 15,
} as const;

/** The effective settings: later layers override earlier ones field by field. */
export function effectiveSecurity(...layers: (SecuritySettings | undefined)[]) {
  let mfaRequired: boolean = defaultSecurity.mfaRequired;
  let maxLoginAttempts: number = defaultSecurity.maxLoginAttempts;
  let lockoutMinutes: number = defaultSecurity.lockoutMinutes;
  let passwordPolicy: Required<PasswordPolicy> = { ...defaultPasswordPolicy };
  for (const layer of layers) {
    if (!layer) continue;
    mfaRequired = layer.mfaRequired ?? mfaRequired;
    maxLoginAttempts = layer.maxLoginAttempts ?? maxLoginAttempts;
    lockoutMinutes = layer.lockoutMinutes ?? lockoutMinutes;
    if (layer.passwordPolicy) {
      const defined = Object.fromEntries(Object.entries(layer.passwordPolicy).filter(([, v]) => v !== undefined));
      passwordPolicy = { ...passwordPolicy, ...defined };
    }
  }
  return { mfaRequired, maxLoginAttempts, lockoutMinutes, passwordPolicy };
}
