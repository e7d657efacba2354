// What a user may do, over HTTP: its role, merchant access and product/gateway
// restrictions (services in access.ts). Each answers the updated user.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { serviceContext } from '../context/service-context.ts';
import { ApprovalPending, pendingView } from '../approvals/view.ts';
import { authenticate } from '../auth/authenticate.ts';
import { IdList, IdParams, bearer, errorResponses } from '../http/schemas.ts';
import { changeMerchantAccess, changeRestrictions, changeUserRole } from './access.ts';
import { UserView, userView } from './view.ts';

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
    const outcome = await changeUserRole(serviceContext(request), request.params.id, request.body.roleId);
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
    const user = await changeMerchantAccess(serviceContext(request), request.params.id, request.body.merchantsAccess);
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
    const user = await changeRestrictions(serviceContext(request), request.params.id, productIds, gatewayRefIds);
    return userView(user);
  });
};
