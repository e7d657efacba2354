// A user's lifecycle (docs/domain.md#user-lifecycle): INVITED → ACTIVE ⇄ DISABLED, any → SOFT_DEL
// → restored, and hard delete. Disable, soft delete and hard delete end every
// session at once. The services behind lifecycle-routes.ts; an approved hard
// delete runs `hardDeletion` again as its maker (approvals/control-plane-execute.ts).
import type { ServiceContext } from '../context/service-context.ts';
import { approvalRequired, requestHardDelete } from '../approvals/control-plane-request.ts';
import type { Approval } from '../approvals/approval.entity.ts';
import { OneTimeToken } from '../auth/one-time-token.entity.ts';
import { conflict } from '../../core/http/errors.ts';
import { changeUser, type UserChange } from './change.ts';
import { User } from './user.entity.ts';

export const transitions: Record<'enable' | 'disable' | 'soft-delete' | 'restore', { summary: string; change: UserChange }> = {
  enable: {
    summary: 'Enable a DISABLED user',
    change: {
      operation: 'users.update',
      action: 'user.enable',
      apply: (_tx, u) => {
        if (u.status !== 'DISABLED') throw conflict('CONFLICT', 'only a DISABLED user can be enabled');
        u.status = 'ACTIVE';
      },
    },
  },
  disable: {
    summary: 'Disable an ACTIVE user: it cannot log in, its sessions end, data and permissions stay',
    change: {
      operation: 'users.update',
      action: 'user.disable',
      endSessions: true,
      apply: (_tx, u) => {
        if (u.status !== 'ACTIVE') throw conflict('USER_NOT_ACTIVE', 'only an ACTIVE user can be disabled');
        u.status = 'DISABLED';
      },
    },
  },
  'soft-delete': {
    summary: 'Soft delete a user (restorable): its sessions end and pending setup links die',
    change: {
      operation: 'users.update',
      action: 'user.soft_delete',
      endSessions: true,
      apply: async ({ em }, u, now) => {
        if (u.status === 'SOFT_DEL') throw conflict('CONFLICT', 'the user is already deleted');
        u.status = 'SOFT_DEL';
        await em.nativeUpdate(OneTimeToken, { userId: u.id, usedAt: null, voidedAt: null }, { voidedAt: now });
      },
    },
  },
  restore: {
    summary: 'Restore a soft-deleted user: ACTIVE if it had set a password, else INVITED (resend its invitation)',
    change: {
      operation: 'users.update',
      action: 'user.restore',
      apply: async ({ em }, u) => {
        if (u.status !== 'SOFT_DEL') throw conflict('CONFLICT', 'only a deleted user can be restored');
        const hasPassword = (await em.count(User, { id: u.id, passwordHash: { $ne: null } })) > 0;
        u.status = hasPassword ? 'ACTIVE' : 'INVITED';
      },
    },
  },
};

/** The permanent delete; with `approvalId` when an approved request carries it out. */
export function hardDeletion(opts: { approvalId?: string } = {}): UserChange {
  return {
    operation: 'users.hard_delete',
    action: 'user.hard_delete',
    endSessions: true,
    remove: true,
    ...(opts.approvalId !== undefined && { approvalId: opts.approvalId }),
    apply: () => {},
  };
}

/** Deletes at once, or stores the request for a checker when the tenant requires one. */
export async function hardDeleteUser(ctx: ServiceContext, id: string): Promise<{ done: true } | { pending: Approval }> {
  if (await approvalRequired(ctx, 'hardDeleteUser')) return { pending: await requestHardDelete(ctx, id) };
  await changeUser(ctx, id, hardDeletion());
  return { done: true };
}
