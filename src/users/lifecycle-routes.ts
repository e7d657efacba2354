// A user's lifecycle (docs/domain.md#user-lifecycle): INVITED → ACTIVE ⇄ DISABLED, any → SOFT_DEL
// → restored, and hard delete. Disable, soft delete and hard delete end every
// session at once.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { approvalRequired, requestHardDelete } from '../approvals/control-plane.ts';
import { ApprovalPending, pendingView } from '../approvals/view.ts';
import { authenticate } from '../auth/authenticate.ts';
import { OneTimeToken } from '../auth/one-time-token.entity.ts';
import { conflict } from '../../core/http/errors.ts';
import { IdParams, NoBody, bearer, errorResponses } from '../http/schemas.ts';
import { changeUser, type UserChange } from './change.ts';
import { User } from './user.entity.ts';
import { UserView, userView } from './view.ts';

const transitions: Record<'enable' | 'disable' | 'soft-delete' | 'restore', { summary: string; change: UserChange }> = {
  enable: {
    summary: 'Enable a DISABLED user',
    change: {
      operation: 'users.update',
      action: 'user.enable',
      apply: (_em, u) => {
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
      apply: (_em, u) => {
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
      apply: async (em, u, now) => {
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
      apply: async (em, u) => {
        if (u.status !== 'SOFT_DEL') throw conflict('CONFLICT', 'only a deleted user can be restored');
        const hasPassword = (await em.count(User, { id: u.id, passwordHash: { $ne: null } })) > 0;
        u.status = hasPassword ? 'ACTIVE' : 'INVITED';
      },
    },
  },
};

export const userLifecycleRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', authenticate);

  for (const [name, { summary, change }] of Object.entries(transitions)) {
    app.post(`/users/:id/${name}`, {
      schema: { tags: ['users'], summary, security: bearer, params: IdParams, body: NoBody, response: { 200: UserView, ...errorResponses(400, 403, 404, 409) } },
    }, async (request) => userView(await changeUser(request, request.params.id, change)));
  }

  app.delete('/users/:id', {
    schema: {
      tags: ['users'],
      summary: 'Hard delete a user (needs user_hard_delete: RW); permanent',
      description: 'When the tenant requires a checker for hard deletes (approval settings), answers 202 {approvalId} and deletes once approved.',
      security: bearer,
      params: IdParams,
      body: NoBody,
      response: { 202: ApprovalPending, 204: { type: 'null', description: 'deleted' }, ...errorResponses(400, 403, 404) },
    },
  }, async (request, reply) => {
    if (await approvalRequired(request, 'hardDeleteUser')) {
      return reply.code(202).send(pendingView(await requestHardDelete(request, request.params.id)));
    }
    await changeUser(request, request.params.id, { operation: 'users.hard_delete', action: 'user.hard_delete', endSessions: true, remove: true, apply: () => {} });
    return reply.code(204).send();
  });
};
