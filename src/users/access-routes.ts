// What a user may do: its role, merchant access and product/gateway
// restrictions. Each answers the updated user; nobody changes their own.
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { effectiveAcl, holdIfRaised, orHold, raisedModules } from '../approvals/level-raise.ts';
import { ApprovalPending, pendingView } from '../approvals/view.ts';
import { authenticate } from '../auth/authenticate.ts';
import { authorizeWith } from '../auth/authorize.ts';
import { conflict } from '../../core/http/errors.ts';
import { IdList, IdParams, bearer, errorResponses } from '../http/schemas.ts';
import { assignableRole } from '../roles/assignment.ts';
import { Role } from '../roles/role.entity.ts';
import { changeUser } from './change.ts';
import { checkMerchantGrant } from './merchant-grant.ts';
import type { User } from './user.entity.ts';
import { UserView, userView } from './view.ts';

const sameSet = (a: string[], b: string[]) => a.length === b.length && new Set([...a, ...b]).size === a.length;

/** The user's current role, with the user row locked for update and the role share-locked; null if it is gone. */
async function currentRoleLocked(em: EntityManager, user: User): Promise<Role | null> {
  const rows = await em.getConnection().execute<{ role_id: string }[]>(
    'select role_id from users where id = ? for update',
    [user.id],
    'all',
    em.getTransactionContext(),
  );
  if (rows[0]?.role_id !== user.roleId) throw conflict('CONFLICT', 'the user was changed by someone else; reload and retry');
  return em.findOne(Role, { id: user.roleId, tenantId: user.tenantId }, { lockMode: LockMode.PESSIMISTIC_READ });
}

function notDeleted(user: User): void {
  if (user.status === 'SOFT_DEL') throw conflict('USER_NOT_ACTIVE', 'the user is deleted; restore it first');
}

export const userAccessRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', authenticate);

  app.patch('/users/:id/role', {
    schema: {
      tags: ['users'],
      summary: 'Give a user another role; its sessions end',
      description: 'When the tenant requires a checker for level raises, a role that lets the user do more than its current one answers 202 {approvalId}.',
      security: bearer,
      params: IdParams,
      body: Type.Object({ roleId: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
      response: { 200: UserView, 202: ApprovalPending, ...errorResponses(400, 403, 404, 409) },
    },
  }, async (request, reply) => {
    const outcome = await orHold(request, () => changeUser(request, request.params.id, {
      operation: 'users.update',
      action: 'user.role.update',
      endSessions: true,
      apply: async (em, u) => {
        notDeleted(u);
        if (u.roleId === request.body.roleId) throw conflict('CONFLICT', 'the user already has this role');
        const role = await assignableRole(request, em, request.body.roleId, u);
        // The raise is decided under the user's row lock and a share lock on its current role.
        const current = await currentRoleLocked(em, u);
        await holdIfRaised(request, em, raisedModules(request, effectiveAcl(current), role.acl), (raised) => ({
          merchantId: u.merchantId,
          request: { action: 'user.role.update', targetId: u.id, roleId: role.id, fromRoleId: u.roleId, raised },
        }));
        u.roleId = role.id;
      },
    }));
    if ('pending' in outcome) return reply.code(202).send(pendingView(outcome.pending));
    return userView(outcome.done);
  });

  app.put('/users/:id/merchant-access', {
    schema: {
      tags: ['users'],
      summary: 'Replace a user\'s merchant access ([] = every merchant of its home scope)',
      description:
        'Refusals, in this order: MERCHANT context or missing tenants:RW (TENANT ctx) / resellers:RW (RESELLER ctx) → 403 FORBIDDEN; ' +
        'user not found or out of scope → 404; oneself → 403 SELF_MODIFICATION; user not ACTIVE → 409 USER_NOT_ACTIVE; ' +
        'same set → 409 MERCHANT_ACCESS_UNCHANGED; a list for a merchant user → 400; a merchant outside the caller\'s scope ' +
        '(or, for a reseller user, outside its reseller) → 403 MERCHANT_OUT_OF_SCOPE.',
      security: bearer,
      params: IdParams,
      body: Type.Object({ merchantsAccess: IdList() }, { additionalProperties: false }),
      response: { 200: UserView, ...errorResponses(400, 403, 404, 409) },
    },
  }, async (request) => {
    const operation = 'users.merchant_access.update';
    const wanted = request.body.merchantsAccess;
    const user = await changeUser(request, request.params.id, {
      operation,
      action: 'user.merchant_access.update',
      apply: async (em, u) => {
        if (u.status !== 'ACTIVE') throw conflict('USER_NOT_ACTIVE', 'merchant access changes only for an ACTIVE user');
        if (sameSet(u.merchantsAccess, wanted)) throw conflict('MERCHANT_ACCESS_UNCHANGED', 'the user already has exactly this access');
        await checkMerchantGrant(request, em, operation, u, wanted);
        u.merchantsAccess = wanted;
      },
    });
    return userView(user);
  });

  app.put('/users/:id/restrictions', {
    schema: {
      tags: ['users'],
      summary: 'Replace a user\'s product and gateway restrictions ([] = unrestricted)',
      security: bearer,
      params: IdParams,
      body: Type.Object({ productIds: IdList(), gatewayRefIds: IdList() }, { additionalProperties: false }),
      response: { 200: UserView, ...errorResponses(400, 403, 404, 409) },
    },
  }, async (request) => {
    const { productIds, gatewayRefIds } = request.body;
    const operation = 'users.update';
    const user = await changeUser(request, request.params.id, {
      operation,
      action: 'user.restrictions.update',
      apply: (_em, u) => {
        notDeleted(u);
        if (sameSet(u.productIds, productIds) && sameSet(u.gatewayRefIds, gatewayRefIds)) {
          throw conflict('CONFLICT', 'the user already has exactly these restrictions');
        }
        authorizeWith(request, operation, { restrictions: { productIds, gatewayRefIds } });
        u.productIds = productIds;
        u.gatewayRefIds = gatewayRefIds;
      },
    });
    return userView(user);
  });
};
