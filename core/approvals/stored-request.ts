// What an approval keeps of the maker's request (Approval.request), by kind.
// Never credentials: no authorization header, cookie or x-auth-* header is
// ever stored, only the headers an upstream needs to read the request.
import type { Acl } from '../principal/access.ts';

/** A downstream write held by a gateway (kind GATEWAY). */
export interface StoredGatewayRequest {
  method: string;
  /** Canonical path, as the gateway would have forwarded it. */
  path: string;
  /** The raw query string without `?` ("" for none), replayed untouched. */
  query: string;
  contentType: string | null;
  /** Allow-listed headers: the route's locator headers, accept, idempotency-key. */
  headers: Record<string, string>;
  /** The body as sent: UTF-8 text when it is valid UTF-8, else base64. */
  body: string;
  bodyEncoding: 'utf8' | 'base64';
  bodyBytes: number;
  /** The route (by prefix) whose upstream receives it once approved. */
  route: string;
  productId: string;
  gatewayRefId: string;
  /** When the request named no merchant: the scope the upstream was to filter by. */
  merchantScope: string;
  /** The maker's decision at the gateway (its decision log line). */
  decisionId: string;
}

export interface RolePatch {
  name?: string;
  description?: string;
  acl?: Acl;
  requireMfa?: boolean;
}

/** An invitation as POST /v1/users took it (the email lower-cased). */
export interface StoredInvite {
  email: string;
  roleId: string;
  type?: 'TENANT' | 'RESELLER' | 'MERCHANT';
  resellerId?: string;
  merchantId?: string;
  merchantsAccess?: string[];
  productIds?: string[];
  gatewayRefIds?: string[];
}

/**
 * A control-plane action held for a checker (kind CONTROL_PLANE). `raised`:
 * the modules on which it lets someone do more (the roleLevelRaise control).
 * Versions and the user's previous role pin what the checker saw: a target
 * changed meanwhile fails with CONFLICT instead of running on other data.
 */
export type StoredControlPlaneAction =
  | { action: 'user.hard_delete'; targetId: string; target: { email: string; type: string } }
  | { action: 'role.update'; targetId: string; version: number; patch: RolePatch; raised: string[] }
  | { action: 'role.enable'; targetId: string; version: number; raised: string[] }
  | { action: 'user.role.update'; targetId: string; roleId: string; fromRoleId: string; raised: string[] }
  | { action: 'user.invite'; targetId: string; invite: StoredInvite; raised: string[] };

/** What approving produced (Approval.result). */
export type ApprovalResult =
  | { upstreamStatus: number; contentType: string | null; body: string; bodyEncoding: 'utf8' | 'base64'; truncated: boolean }
  | { code: string; message: string; reasons?: string[] }
  | { done: true };
