// The words of access both services speak: a context is where a user acts
// (docs/domain.md#contexts), an ACL maps each module to a level
// (docs/domain.md#levels). Roles store them; tokens and the policy input carry them.

export type Level = 'NA' | 'R' | 'RW' | 'CHECKER';
export type Acl = Record<string, Level>;
export type ContextType = 'TENANT' | 'RESELLER' | 'MERCHANT';
