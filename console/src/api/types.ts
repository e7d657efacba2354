// Names for the API's shapes. Typed answers are taken from the generated
// schema; the few answers the OpenAPI document leaves untyped are written here.
import type { paths } from './schema';
import type { ContextType, SessionContext, TokenAnswer } from '../session/session';

type Json<P extends keyof paths, M extends 'get' | 'post'> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

export type User = Json<'/v1/users', 'get'>['items'][number];
export type Role = Json<'/v1/roles', 'get'>['items'][number];
export type Merchant = Json<'/v1/merchants', 'get'>['items'][number];
export type Reseller = Json<'/v1/resellers', 'get'>['items'][number];
export type ContextChoice = Json<'/v1/auth/contexts', 'get'>['items'][number];
export type Approval = Json<'/v1/approvals', 'get'>['items'][number];
export type AuditEvent = Json<'/v1/audit-events', 'get'>['items'][number];
export type ModuleInfo = Json<'/v1/modules', 'get'>['items'][number];
export type UserStatus = User['status'];

export type Level = 'NA' | 'R' | 'RW' | 'CHECKER';
export type Acl = Record<string, Level>;

export interface Me {
  user: User & { passwordChangedAt?: string | null };
  context: SessionContext;
  role: { id: string; name: string; enabled: boolean };
  acl: Acl;
}

export type LoginAnswer =
  | (TokenAnswer & { refreshToken?: string })
  | { mfaRequired: true; mfaToken: string }
  | { mfaSetupRequired: true; mfaToken: string };

export interface PasswordPolicyView {
  minLength: number;
  maxLength: number;
  requireUpper: boolean;
  requireLower: boolean;
  requireDigit: boolean;
  requireSymbol: boolean;
  historySize: number;
  expiryDays: number | null;
  blocklist: boolean;
}

export interface InvitationLookup {
  email: string;
  expiresAt: string;
  passwordPolicy: PasswordPolicyView;
  mfaRequired: boolean;
}

export interface MfaSetup {
  secret: string;
  otpauthUrl: string;
}

export type MfaVerified = TokenAnswer & { recoveryCodes: string[] };

export type { ContextType };
