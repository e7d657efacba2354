// /v1/merchants. TENANT context creates a merchant with its full
// configuration, directly under the tenant or under a reseller. RESELLER
// context creates one under its own reseller with basic details (and initial
// roles) only: the platform configuration (settings, platforms, products) is
// not accepted, and the merchant inherits its reseller's payment gateways and
// security settings (2FA, lockout, password policy) at read time.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { authenticate } from '../auth/authenticate.ts';
import { auditActor, authorize } from '../auth/authorize.ts';
import { recordAudit } from '../audit/record.ts';
import { badRequest, conflict } from '../../core/http/errors.ts';
import { findPage, PageOf, PageQuery, type SortKey } from '../http/pagination.ts';
import { IdList, IdParams, bearer, errorResponses } from '../http/schemas.ts';
import { escapeLike } from '../http/search.ts';
import { findResellerInScope } from '../resellers/scope.ts';
import { AclSchema, checkAcl } from '../roles/acl.ts';
import { Role } from '../roles/role.entity.ts';
import { RoleView, roleView } from '../roles/view.ts';
import { ID_UNAVAILABLE } from '../users/email-unique.ts';
import { userPage } from '../users/list.ts';
import { findMerchantInScope, merchantScope } from '../users/scope.ts';
import { UserView } from '../users/view.ts';
import { Merchant } from './merchant.entity.ts';
import { merchantAudit, MerchantBasics, MerchantSettingsSchema, MerchantView, merchantViews } from './view.ts';

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

const byId: SortKey<Merchant> = { field: 'id', direction: 'asc', kind: 'string' };

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
    authorize(request, 'merchants.create');
    const body = request.body;
    const initialRoles = body.initialRoles ?? [];
    if (initialRoles.length > 0) authorize(request, 'roles.create.MERCHANT');
    const { context, user } = request.actor;
    if (context.type === 'RESELLER' && (body.settings || body.platforms || body.products)) {
      throw badRequest('in RESELLER context the platform configuration (settings, platforms, products) is inherited from the reseller');
    }
    if (new Set(initialRoles.map((r) => r.name)).size !== initialRoles.length) throw badRequest('initialRoles have duplicate names');
    for (const r of initialRoles) checkAcl(request, r.acl);
    const { merchant, roles } = await request.em.transactional(async (em) => {
      const resellerId = body.resellerId ?? (context.type === 'RESELLER' ? context.id : undefined);
      // RESELLER context sees only its own reseller: naming another is 404.
      if (resellerId !== undefined) await findResellerInScope(request, resellerId, em);
      // Ids are unique across the installation; the refusal names no holder (users/email-unique.ts).
      if ((await em.count(Merchant, { id: body.id })) > 0) throw conflict('CONFLICT', ID_UNAVAILABLE);
      const merchant = em.create(Merchant, {
        id: body.id,
        tenantId: user.tenantId,
        resellerId: resellerId ?? null,
        name: body.name,
        email: body.email.toLowerCase(),
        country: body.country,
        settings: body.settings ?? {},
        platforms: body.platforms ?? [],
        products: body.products ?? [],
      });
      em.persist(merchant);
      const roles = initialRoles.map((r) =>
        em.create(Role, {
          id: randomUUID(),
          tenantId: user.tenantId,
          name: r.name,
          description: r.description ?? '',
          scope: 'MERCHANT',
          ownerType: 'MERCHANT',
          ownerId: merchant.id,
          acl: r.acl,
          enabled: true,
          system: false,
          requireMfa: r.requireMfa ?? false,
        }),
      );
      em.persist(roles);
      recordAudit(em, auditActor(request), {
        action: 'merchant.create',
        targetType: 'merchant',
        targetId: merchant.id,
        after: { ...merchantAudit(merchant), initialRoles: roles.map((r) => ({ id: r.id, name: r.name, acl: r.acl })) },
      });
      return { merchant, roles };
    });
    const [view] = await merchantViews(request.em, [merchant]);
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
    authorize(request, 'merchants.read');
    const { q, resellerId, cursor, limit } = request.query;
    const filters = {
      ...(q ? { $or: [{ id: { $ilike: `${escapeLike(q)}%` } }, { name: { $ilike: `${escapeLike(q)}%` } }] } : {}),
      ...(resellerId ? { resellerId } : {}),
    };
    const { items, nextCursor } = await findPage(request.em, Merchant, [merchantScope(request.actor), filters], byId, cursor, limit);
    return { items: await merchantViews(request.em, items), nextCursor };
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
    authorize(request, 'merchants.read');
    const [view] = await merchantViews(request.em, [await findMerchantInScope(request, request.params.id)]);
    return view!;
  });

  app.get('/merchants/:id/users', {
    schema: {
      tags: ['merchants'],
      summary: 'The merchant\'s users (type MERCHANT) the caller sees, oldest first',
      security: bearer,
      params: IdParams,
      querystring: Type.Object(PageQuery, { additionalProperties: false }),
      response: { 200: PageOf(UserView), ...errorResponses(400, 403, 404) },
    },
  }, async (request) => {
    authorize(request, 'merchants.read');
    authorize(request, 'users.read');
    const merchant = await findMerchantInScope(request, request.params.id);
    return userPage(request, { type: 'MERCHANT', merchantId: merchant.id }, request.query.cursor, request.query.limit);
  });
};
