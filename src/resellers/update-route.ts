// PATCH /v1/resellers/:id (TENANT context, resellers: RW): a reseller's
// details, security overrides and payment gateways. A reseller does not edit
// itself: its security and gateways bind its own users and merchants.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { serviceContext } from '../context/service-context.ts';
import { authenticate } from '../auth/authenticate.ts';
import { Email, IdList, IdParams, bearer, errorResponses } from '../http/schemas.ts';
import { updateReseller } from './service.ts';
import { ResellerView, resellerView, SecuritySettingsSchema } from './view.ts';

const UpdateResellerBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    email: Type.Optional(Email),
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** Fields sent replace, others stay; passwordPolicy merges field by field. */
    security: Type.Optional(SecuritySettingsSchema),
    /** Replaces the list; the reseller's merchants inherit it. */
    gateways: Type.Optional(IdList(200)),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const resellerUpdateRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', authenticate);

  app.patch('/resellers/:id', {
    schema: {
      tags: ['resellers'],
      summary: 'Edit a reseller: name, email, type, security, gateways (TENANT context, resellers: RW)',
      description: "Turning 2FA on ends the sessions of the reseller's users (and its merchants' users) who have not enrolled.",
      security: bearer,
      params: IdParams,
      body: UpdateResellerBody,
      response: { 200: ResellerView, ...errorResponses(400, 403, 404, 409) },
    },
  }, async (request) => {
    const reseller = await updateReseller(serviceContext(request), request.params.id, request.body);
    return resellerView(reseller);
  });
};
