// /v1/resellers over HTTP: creating one also invites its admin (service.ts);
// lists and reads (queries.ts, scope.ts).
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { serviceContext } from '../context/service-context.ts';
import { authenticate } from '../auth/authenticate.ts';
import { authorize } from '../auth/authorize.ts';
import { PageOf, PageQuery } from '../http/pagination.ts';
import { IdParams, bearer, errorResponses } from '../http/schemas.ts';
import { userPage } from '../users/queries.ts';
import { ownedUsersSchema, UserView, userView } from '../users/view.ts';
import { resellerPage } from './queries.ts';
import { findResellerInScope } from './scope.ts';
import { createReseller } from './service.ts';
import { CreateResellerBody, ResellerView, resellerView } from './view.ts';

const ListQuery = Type.Object(
  { q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), ...PageQuery },
  { additionalProperties: false },
);

export const resellersRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', authenticate);

  app.post('/resellers', {
    schema: {
      tags: ['resellers'],
      summary: 'Create a reseller and invite its admin (TENANT context, resellers: RW)',
      security: bearer,
      body: CreateResellerBody,
      response: { 201: Type.Composite([ResellerView, Type.Object({ admin: UserView })]), ...errorResponses(400, 403, 409) },
    },
  }, async (request, reply) => {
    const { reseller, admin } = await createReseller(serviceContext(request), request.body);
    return reply.code(201).send({ ...resellerView(reseller), admin: userView(admin) });
  });

  app.get('/resellers', {
    schema: {
      tags: ['resellers'],
      summary: 'Resellers the caller sees (all of the tenant in TENANT context, its own in RESELLER context), by id',
      security: bearer,
      querystring: ListQuery,
      response: { 200: PageOf(ResellerView), ...errorResponses(400, 403) },
    },
  }, async (request) => {
    const ctx = serviceContext(request);
    authorize(ctx, 'resellers.read');
    const { q, cursor, limit } = request.query;
    const { items, nextCursor } = await resellerPage(ctx.em, ctx.actor, q, cursor, limit);
    return { items: items.map(resellerView), nextCursor };
  });

  app.get('/resellers/:id', {
    schema: {
      tags: ['resellers'],
      summary: 'A reseller the caller sees',
      security: bearer,
      params: IdParams,
      response: { 200: ResellerView, ...errorResponses(403, 404) },
    },
  }, async (request) => {
    const ctx = serviceContext(request);
    authorize(ctx, 'resellers.read');
    return resellerView(await findResellerInScope(ctx, request.params.id));
  });

  app.get('/resellers/:id/users', {
    schema: ownedUsersSchema('resellers', 'The reseller\'s users (type RESELLER) the caller sees, oldest first'),
  }, async (request) => {
    const ctx = serviceContext(request);
    authorize(ctx, 'resellers.read');
    authorize(ctx, 'users.read');
    const reseller = await findResellerInScope(ctx, request.params.id);
    return userPage(ctx, { type: 'RESELLER', resellerId: reseller.id }, request.query.cursor, request.query.limit);
  });
};
