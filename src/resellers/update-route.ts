// PATCH /v1/resellers/:id (TENANT context, resellers: RW): a reseller's
// details, security overrides and payment gateways. A reseller does not edit
// itself: its security and gateways bind its own users and merchants.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { authenticate } from '../auth/authenticate.ts';
import { auditActor, authorize } from '../auth/authorize.ts';
import { announceRevoked } from '../auth/sessions.ts';
import { recordAudit } from '../audit/record.ts';
import { Email, IdList, IdParams, bearer, errorResponses } from '../http/schemas.ts';
import { mergeSecurity } from '../security/merge.ts';
import { endSessionsLackingMfa, mfaTurnedOn } from '../security/mfa-tightening.ts';
import { findResellerInScope } from './scope.ts';
import { checkSecuritySettings, resellerAudit, ResellerView, resellerView, SecuritySettingsSchema } from './view.ts';

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
    authorize(request, 'resellers.update');
    const body = request.body;
    const { reseller, revoked } = await request.em.transactional(async (em) => {
      const reseller = await findResellerInScope(request, request.params.id, em);
      const before = resellerAudit(reseller);
      const beforeSecurity = reseller.security;
      if (body.name !== undefined) reseller.name = body.name;
      if (body.email !== undefined) reseller.email = body.email.toLowerCase();
      if (body.type !== undefined) reseller.type = body.type;
      if (body.gateways !== undefined) reseller.gateways = body.gateways;
      if (body.security !== undefined) {
        reseller.security = mergeSecurity(reseller.security, body.security);
        checkSecuritySettings(reseller.security);
      }
      const revoked = mfaTurnedOn(beforeSecurity, reseller.security)
        ? await endSessionsLackingMfa(em, { tenantId: reseller.tenantId, resellerId: reseller.id }, request.server.deps.now())
        : [];
      recordAudit(em, auditActor(request), {
        action: 'reseller.update',
        targetType: 'reseller',
        targetId: reseller.id,
        before,
        after: { ...resellerAudit(reseller), ...(revoked.length > 0 ? { sessionsEndedForMfa: revoked.length } : {}) },
      });
      return { reseller, revoked };
    });
    await announceRevoked(request.server.deps, revoked);
    return resellerView(reseller);
  });
};
