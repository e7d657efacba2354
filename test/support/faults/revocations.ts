// The revocations the fault tests and the soak make, through the control
// plane's own admin routes (commit, audit, publish), each recorded with what
// it affects so the oracle can judge every call (oracle.ts), and with what
// its transaction writes (the record's id, the audit action) so a ledger
// with a commit clock can time its COMMIT (commit-clock.ts).
import { literally } from './commit-clock.ts';
import type { client as httpClient } from '../http.ts';
import type { Ledger, Revocation } from './oracle.ts';
import { exclusive, type Subject } from './traffic.ts';

type Admin = ReturnType<typeof httpClient>;

/** The revocation's transaction: it names the record and writes its audit action. */
const marks = (id: string, auditAction: string) => [literally(id), literally(auditAction)];

export const revoke = {
  /** Disabled: nothing of the user's is allowed any more (gateway, login, refresh). */
  user: (ledger: Ledger, admin: Admin, s: Subject): Promise<Revocation> =>
    ledger.revoke(`user ${s.userId} disabled`, (c) => c.userId === s.userId, () => admin.post(`/v1/users/${s.userId}/disable`), marks(s.userId, 'user.disable')),

  /** Role disabled: its holders' gateway requests are denied. */
  role: (ledger: Ledger, admin: Admin, roleId: string): Promise<Revocation> =>
    ledger.revoke(`role ${roleId} disabled`, (c) => c.kind === 'gateway' && c.roleId === roleId, () => admin.post(`/v1/roles/${roleId}/disable`), marks(roleId, 'role.disable')),

  /** Role lowered to read-only on orders: its holders' writes are denied. */
  roleToReadOnly: (ledger: Ledger, admin: Admin, roleId: string): Promise<Revocation> =>
    ledger.revoke(
      `role ${roleId} lowered to orders R`,
      (c) => c.kind === 'gateway' && c.roleId === roleId && c.action === 'write',
      () => admin.patch(`/v1/roles/${roleId}`, { acl: { orders: 'R' } }),
      marks(roleId, 'role.update'),
    ),

  /** Merchant access narrowed to `keep`: requests naming any other merchant are denied. */
  merchants: (ledger: Ledger, admin: Admin, s: Subject, keep: string[]): Promise<Revocation> =>
    ledger.revoke(
      `user ${s.userId} merchant access → ${keep.join(',')}`,
      (c) => c.kind === 'gateway' && c.userId === s.userId && !keep.includes(c.merchant),
      () => admin.put(`/v1/users/${s.userId}/merchant-access`, { merchantsAccess: keep }),
      marks(s.userId, 'user.merchant_access.update'),
    ),

  /**
   * Every session the user has now ends (a new login afterwards is a new
   * session, not a re-grant). Holding the subject's lock, so no login or
   * refresh of the user runs meanwhile.
   */
  sessions: (ledger: Ledger, admin: Admin, s: Subject): Promise<Revocation> =>
    exclusive(s, () => {
      const ended = new Set(s.sessions.map((x) => x.sid));
      return ledger.revoke(
        `user ${s.userId} sessions revoked`,
        (c) => c.kind !== 'login' && c.userId === s.userId && ended.has(c.sid),
        // The ended sessions stay in `s.sessions`: calls keep trying their tokens.
        () => admin.post(`/v1/users/${s.userId}/revoke-sessions`),
        marks(s.userId, 'user.sessions_revoked'),
      );
    }),
};
