// /v1/resellers. Creating one (TENANT context, resellers: RW) also invites
// its admin: a RESELLER user with the reseller's email and the tenant's
// "Reseller Admin" system role. That invitation comes with resellers: RW by
// design (the creator needs no users or roles permission for it).
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { authenticate } from '../auth/authenticate.ts';
import { auditActor, authorize } from '../auth/authorize.ts';
import { recordAudit } from '../audit/record.ts';
import { conflict } from '../../core/http/errors.ts';
import { findPage, PageOf, PageQuery, type SortKey } from '../http/pagination.ts';
import { IdParams, bearer, errorResponses } from '../http/schemas.ts';
import { escapeLike } from '../http/search.ts';
import { Role } from '../roles/role.entity.ts';
import { systemRoleNames } from '../roles/system-roles.ts';
import { EMAIL_UNAVAILABLE, ID_UNAVAILABLE, emailTaken } from '../users/email-unique.ts';
import { mailInvitation, persistInvitedUser } from '../users/invitation.ts';
import { userPage } from '../users/list.ts';
import { UserView, userView } from '../users/view.ts';
import { Reseller } from './reseller.entity.ts';
import { findResellerInScope, resellerScope } from './scope.ts';
import { checkSecuritySettings, CreateResellerBody, resellerAudit, ResellerView, resellerView } from './view.ts';

const byId: SortKey<Reseller> = { field: 'id', direction: 'asc', kind: 'string' };

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
    authorize(request, 'resellers.create');
    const body = request.body;
    checkSecuritySettings(body.security);
    const tenantId = request.actor.user.tenantId;
    const email = body.email.toLowerCase();
    const { reseller, admin, invitation } = await request.em.transactional(async (em) => {
      // Ids and emails are unique across the installation; the refusal names no holder (users/email-unique.ts).
      if ((await em.count(Reseller, { id: body.id })) > 0) throw conflict('CONFLICT', ID_UNAVAILABLE);
      if (await emailTaken(em, email)) throw conflict('CONFLICT', EMAIL_UNAVAILABLE);
      const adminRole = await em.findOneOrFail(Role, { tenantId, system: true, ownerType: 'TENANT', scope: 'RESELLER', name: systemRoleNames.RESELLER });
      const reseller = em.create(Reseller, {
        id: body.id,
        tenantId,
        name: body.name,
        email,
        type: body.type,
        security: body.security ?? {},
        gateways: body.gateways ?? [],
      });
      em.persist(reseller);
      const { user, invitation } = await persistInvitedUser(request, em, {
        email,
        type: 'RESELLER',
        resellerId: reseller.id,
        merchantId: null,
        roleId: adminRole.id,
        merchantsAccess: [],
        productIds: [],
        gatewayRefIds: [],
      });
      recordAudit(em, auditActor(request), {
        action: 'reseller.create',
        targetType: 'reseller',
        targetId: reseller.id,
        after: { ...resellerAudit(reseller), admin: { userId: user.id, email: user.email, roleId: user.roleId } },
      });
      return { reseller, admin: user, invitation };
    });
    await mailInvitation(request, admin.email, invitation);
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
    authorize(request, 'resellers.read');
    const { q, cursor, limit } = request.query;
    const search = q ? { $or: [{ id: { $ilike: `${escapeLike(q)}%` } }, { name: { $ilike: `${escapeLike(q)}%` } }] } : {};
    const { items, nextCursor } = await findPage(request.em, Reseller, [resellerScope(request.actor), search], byId, cursor, limit);
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
    authorize(request, 'resellers.read');
    return resellerView(await findResellerInScope(request, request.params.id));
  });

  app.get('/resellers/:id/users', {
    schema: {
      tags: ['resellers'],
      summary: 'The reseller\'s users (type RESELLER) the caller sees, oldest first',
      security: bearer,
      params: IdParams,
      querystring: Type.Object(PageQuery, { additionalProperties: false }),
      response: { 200: PageOf(UserView), ...errorResponses(400, 403, 404) },
    },
  }, async (request) => {
    authorize(request, 'resellers.read');
    authorize(request, 'users.read');
    const reseller = await findResellerInScope(request, request.params.id);
    return userPage(request, { type: 'RESELLER', resellerId: reseller.id }, request.query.cursor, request.query.limit);
  });
};
