// PATCH /v1/merchants/:id (merchants: RW). TENANT context edits everything a
// creation sets; RESELLER context edits the basic details (name, email,
// country) of its own merchants only: the platform configuration is the
// tenant's, as at creation (routes.ts). Merchants outside the caller's scope
// or merchant access are 404, like at every read.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { authenticate } from '../auth/authenticate.ts';
import { auditActor, authorize } from '../auth/authorize.ts';
import { announceRevoked } from '../auth/sessions.ts';
import { recordAudit } from '../audit/record.ts';
import { badRequest, notFound } from '../../core/http/errors.ts';
import { IdList, IdParams, bearer, errorResponses } from '../http/schemas.ts';
import { endSessionsLackingMfa, mfaTurnedOn } from '../security/mfa-tightening.ts';
import { merchantScope } from '../users/scope.ts';
import { Merchant } from './merchant.entity.ts';
import { merchantAudit, MerchantBasics, MerchantSettingsSchema, MerchantView, merchantViews } from './view.ts';

const UpdateMerchantBody = Type.Object(
  {
    name: Type.Optional(MerchantBasics.name),
    email: Type.Optional(MerchantBasics.email),
    country: Type.Optional(MerchantBasics.country),
    /** Fields sent replace, others stay. */
    settings: Type.Optional(MerchantSettingsSchema),
    platforms: Type.Optional(IdList(50)),
    products: Type.Optional(IdList(200)),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const merchantUpdateRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', authenticate);

  app.patch('/merchants/:id', {
    schema: {
      tags: ['merchants'],
      summary: 'Edit a merchant (merchants: RW; TENANT: everything; RESELLER: name, email and country of its merchants)',
      description: "Turning the merchant's 2FA on ends the sessions of its users who have not enrolled.",
      security: bearer,
      params: IdParams,
      body: UpdateMerchantBody,
      response: { 200: MerchantView, ...errorResponses(400, 403, 404, 409) },
    },
  }, async (request) => {
    authorize(request, 'merchants.update');
    const body = request.body;
    if (request.actor.context.type === 'RESELLER' && (body.settings || body.platforms || body.products)) {
      throw badRequest('in RESELLER context the platform configuration (settings, platforms, products) is the tenant\'s to edit');
    }
    const { merchant, revoked } = await request.em.transactional(async (em) => {
      const merchant = await em.findOne(Merchant, { $and: [{ id: request.params.id }, merchantScope(request.actor)] });
      if (!merchant) throw notFound('merchant');
      // The policy sees the record too (merchant access, reseller of the context).
      authorize(request, 'merchants.update', { id: merchant.id, tenantId: merchant.tenantId, resellerId: merchant.resellerId });
      const before = merchantAudit(merchant);
      const beforeSettings = merchant.settings;
      if (body.name !== undefined) merchant.name = body.name;
      if (body.email !== undefined) merchant.email = body.email.toLowerCase();
      if (body.country !== undefined) merchant.country = body.country;
      if (body.settings !== undefined) merchant.settings = { ...merchant.settings, ...body.settings };
      if (body.platforms !== undefined) merchant.platforms = body.platforms;
      if (body.products !== undefined) merchant.products = body.products;
      const revoked = mfaTurnedOn(beforeSettings, merchant.settings)
        ? await endSessionsLackingMfa(em, { tenantId: merchant.tenantId, merchantId: merchant.id }, request.server.deps.now())
        : [];
      recordAudit(em, auditActor(request), {
        action: 'merchant.update',
        targetType: 'merchant',
        targetId: merchant.id,
        before,
        after: { ...merchantAudit(merchant), ...(revoked.length > 0 ? { sessionsEndedForMfa: revoked.length } : {}) },
      });
      return { merchant, revoked };
    });
    await announceRevoked(request.server.deps, revoked);
    const [view] = await merchantViews(request.em, [merchant]);
    return view!;
  });
};
