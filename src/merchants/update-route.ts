// PATCH /v1/merchants/:id (merchants: RW) over HTTP; what each context may
// edit is in service.ts.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { serviceContext } from '../context/service-context.ts';
import { authenticate } from '../auth/authenticate.ts';
import { IdList, IdParams, bearer, errorResponses } from '../http/schemas.ts';
import { updateMerchant } from './service.ts';
import { MerchantBasics, MerchantSettingsSchema, MerchantView, merchantViews } from './view.ts';

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
    const ctx = serviceContext(request);
    const merchant = await updateMerchant(ctx, request.params.id, request.body);
    const [view] = await merchantViews(ctx.em, [merchant]);
    return view!;
  });
};
