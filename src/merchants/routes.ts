// /v1/merchants over HTTP: who may create what in which context is in
// service.ts, the lists in queries.ts.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { serviceContext } from '../context/service-context.ts';
import { authenticate } from '../auth/authenticate.ts';
import { authorize } from '../auth/authorize.ts';
import { PageOf, PageQuery } from '../http/pagination.ts';
import { IdList, IdParams, bearer, errorResponses } from '../http/schemas.ts';
import { AclSchema } from '../roles/acl.ts';
import { RoleView, roleView } from '../roles/view.ts';
import { userPage } from '../users/queries.ts';
import { findMerchantInScope } from '../users/scope.ts';
import { ownedUsersSchema } from '../users/view.ts';
import { merchantPage } from './queries.ts';
import { createMerchant } from './service.ts';
import { MerchantBasics, MerchantSettingsSchema, MerchantView, merchantViews } from './view.ts';

const InitialRole = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
    acl: AclSchema,
    requireMfa: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const CreateBody = Type.Object(
  {
    ...MerchantBasics,
    resellerId: Type.Optional(Type.String({ maxLength: 64 })),
    settings: Type.Optional(MerchantSettingsSchema),
    platforms: Type.Optional(IdList(50)),
    products: Type.Optional(IdList(200)),
    /** Roles for the merchant's users, owned by the merchant (scope MERCHANT). */
    initialRoles: Type.Optional(Type.Array(InitialRole, { maxItems: 20 })),
  },
  { additionalProperties: false },
);

const ListQuery = Type.Object(
  {
    /** Prefix of the id or the name, case-insensitive. */
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    resellerId: Type.Optional(Type.String({ maxLength: 64 })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const merchantsRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', authenticate);

  app.post('/merchants', {
    schema: {
      tags: ['merchants'],
      summary: 'Create a merchant (TENANT: full configuration; RESELLER: basic details under its reseller)',
      security: bearer,
      body: CreateBody,
      response: { 201: Type.Composite([MerchantView, Type.Object({ initialRoles: Type.Array(RoleView) })]), ...errorResponses(400, 403, 404, 409, 422) },
    },
  }, async (request, reply) => {
    const ctx = serviceContext(request);
    const { merchant, roles } = await createMerchant(ctx, request.body);
    const [view] = await merchantViews(ctx.em, [merchant]);
    return reply.code(201).send({ ...view!, initialRoles: roles.map((r) => roleView(r, 0)) });
  });

  app.get('/merchants', {
    schema: {
      tags: ['merchants'],
      summary: 'Merchants the caller reaches, by id; q matches a prefix of the id or name',
      security: bearer,
      querystring: ListQuery,
      response: { 200: PageOf(MerchantView), ...errorResponses(400, 403) },
    },
  }, async (request) => {
    const ctx = serviceContext(request);
    authorize(ctx, 'merchants.read');
    const { cursor, limit, ...filters } = request.query;
    const { items, nextCursor } = await merchantPage(ctx.em, ctx.actor, filters, cursor, limit);
    return { items: await merchantViews(ctx.em, items), nextCursor };
  });

  app.get('/merchants/:id', {
    schema: {
      tags: ['merchants'],
      summary: 'A merchant the caller reaches',
      security: bearer,
      params: IdParams,
      response: { 200: MerchantView, ...errorResponses(403, 404) },
    },
  }, async (request) => {
    const ctx = serviceContext(request);
    authorize(ctx, 'merchants.read');
    const [view] = await merchantViews(ctx.em, [await findMerchantInScope(ctx, request.params.id)]);
    return view!;
  });

  app.get('/merchants/:id/users', {
    schema: ownedUsersSchema('merchants', 'The merchant\'s users (type MERCHANT) the caller sees, oldest first'),
  }, async (request) => {
    const ctx = serviceContext(request);
    authorize(ctx, 'merchants.read');
    authorize(ctx, 'users.read');
    const merchant = await findMerchantInScope(ctx, request.params.id);
    return userPage(ctx, { type: 'MERCHANT', merchantId: merchant.id }, request.query.cursor, request.query.limit);
  });
};
