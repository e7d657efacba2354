// /v1/users: invite, list in scope, read.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { serviceContext } from '../context/service-context.ts';
import { ApprovalPending, pendingView } from '../approvals/view.ts';
import { authenticate } from '../auth/authenticate.ts';
import { authorize } from '../auth/authorize.ts';
import { PageOf, PageQuery } from '../http/pagination.ts';
import { ContextTypeSchema, IdParams, bearer, errorResponses } from '../http/schemas.ts';
import { InviteBody, inviteUser } from './invite.ts';
import { userFilter, userPage } from './queries.ts';
import { findUserInScope } from './scope.ts';
import { UserStatusSchema, UserView, userView } from './view.ts';

const ListQuery = Type.Object(
  {
    status: Type.Optional(UserStatusSchema),
    roleId: Type.Optional(Type.String({ format: 'uuid' })),
    type: Type.Optional(ContextTypeSchema),
    merchantId: Type.Optional(Type.String({ maxLength: 64 })),
    /** Email prefix, case-insensitive. */
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const usersRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', authenticate);

  app.post('/users', {
    schema: {
      tags: ['users'],
      summary: 'Invite a user (docs/domain.md#creation)',
      description: 'When the tenant requires a checker for level raises, an invitation with a role that grants anything answers 202 {approvalId}: the user is invited once a checker on roles approves.',
      security: bearer,
      body: InviteBody,
      response: { 201: UserView, 202: ApprovalPending, ...errorResponses(400, 403, 404, 409) },
    },
  }, async (request, reply) => {
    const outcome = await inviteUser(serviceContext(request), request.body);
    if ('pending' in outcome) return reply.code(202).send(pendingView(outcome.pending));
    return reply.code(201).send(userView(outcome.done));
  });

  app.get('/users', {
    schema: {
      tags: ['users'],
      summary: 'Users in the caller\'s scope, oldest first',
      security: bearer,
      querystring: ListQuery,
      response: { 200: PageOf(UserView), ...errorResponses(400, 403) },
    },
  }, async (request) => {
    const ctx = serviceContext(request);
    authorize(ctx, 'users.read');
    const { cursor, limit, ...filters } = request.query;
    return userPage(ctx, userFilter(filters), cursor, limit);
  });

  app.get('/users/:id', {
    schema: {
      tags: ['users'],
      summary: 'A user in the caller\'s scope',
      security: bearer,
      params: IdParams,
      response: { 200: UserView, ...errorResponses(403, 404) },
    },
  }, async (request) => {
    const ctx = serviceContext(request);
    authorize(ctx, 'users.read');
    return userView(await findUserInScope(ctx, request.params.id));
  });
};
