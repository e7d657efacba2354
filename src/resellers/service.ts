// The resellers capability's services. Creating one (TENANT context,
// resellers: RW) also invites its admin: a RESELLER user with the reseller's
// email and the tenant's "Reseller Admin" system role. That invitation comes
// with resellers: RW by design (the creator needs no users or roles
// permission for it). A reseller does not edit itself: its security and
// gateways bind its own users and merchants.
import type { Static } from '@sinclair/typebox';
import { inTransaction, type ServiceContext } from '../context/service-context.ts';
import { auditActor, authorize } from '../auth/authorize.ts';
import { announceRevoked } from '../auth/sessions.ts';
import { recordAudit } from '../audit/record.ts';
import { conflict } from '../../core/http/errors.ts';
import { mergeSecurity } from '../security/merge.ts';
import { recordSettingsEdit } from '../security/mfa-tightening.ts';
import type { SecuritySettings } from '../security/settings.ts';
import { EMAIL_UNAVAILABLE, ID_UNAVAILABLE, emailTaken } from '../users/email-unique.ts';
import { mailInvitation, persistInvitedUser } from '../users/invitation.ts';
import type { User } from '../users/user.entity.ts';
import { resellerAdminRole, resellerIdTaken } from './queries.ts';
import { Reseller } from './reseller.entity.ts';
import { findResellerInScope } from './scope.ts';
import { checkSecuritySettings, resellerAudit, type CreateResellerBody } from './view.ts';

export async function createReseller(ctx: ServiceContext, body: Static<typeof CreateResellerBody>): Promise<{ reseller: Reseller; admin: User }> {
  authorize(ctx, 'resellers.create');
  checkSecuritySettings(body.security);
  const tenantId = ctx.actor.user.tenantId;
  const email = body.email.toLowerCase();
  const { reseller, admin, invitation } = await ctx.em.transactional(async (em) => {
    // Ids and emails are unique across the installation; the refusal names no holder (users/email-unique.ts).
    if (await resellerIdTaken(em, body.id)) throw conflict('CONFLICT', ID_UNAVAILABLE);
    if (await emailTaken(em, email)) throw conflict('CONFLICT', EMAIL_UNAVAILABLE);
    const adminRole = await resellerAdminRole(em, tenantId);
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
    const { user, invitation } = await persistInvitedUser(inTransaction(ctx, em), {
      email,
      type: 'RESELLER',
      resellerId: reseller.id,
      merchantId: null,
      roleId: adminRole.id,
      merchantsAccess: [],
      productIds: [],
      gatewayRefIds: [],
    });
    recordAudit(em, auditActor(ctx), {
      action: 'reseller.create',
      targetType: 'reseller',
      targetId: reseller.id,
      after: { ...resellerAudit(reseller), admin: { userId: user.id, email: user.email, roleId: user.roleId } },
    });
    return { reseller, admin: user, invitation };
  });
  await mailInvitation(ctx, admin.email, invitation);
  return { reseller, admin };
}

export interface ResellerPatch {
  name?: string;
  email?: string;
  type?: string;
  /** Fields sent replace, others stay; passwordPolicy merges field by field. */
  security?: SecuritySettings;
  /** Replaces the list; the reseller's merchants inherit it. */
  gateways?: string[];
}

/** Turning 2FA on ends the sessions of the reseller's users (and its merchants' users) who have not enrolled. */
export async function updateReseller(ctx: ServiceContext, id: string, patch: ResellerPatch): Promise<Reseller> {
  authorize(ctx, 'resellers.update');
  const { reseller, revoked } = await ctx.em.transactional(async (em) => {
    const reseller = await findResellerInScope(inTransaction(ctx, em), id);
    const before = resellerAudit(reseller);
    const beforeSecurity = reseller.security;
    if (patch.name !== undefined) reseller.name = patch.name;
    if (patch.email !== undefined) reseller.email = patch.email.toLowerCase();
    if (patch.type !== undefined) reseller.type = patch.type;
    if (patch.gateways !== undefined) reseller.gateways = patch.gateways;
    if (patch.security !== undefined) {
      reseller.security = mergeSecurity(reseller.security, patch.security);
      checkSecuritySettings(reseller.security);
    }
    const revoked = await recordSettingsEdit(inTransaction(ctx, em), {
      mfa: [beforeSecurity, reseller.security],
      layer: { tenantId: reseller.tenantId, resellerId: reseller.id },
      event: { action: 'reseller.update', targetType: 'reseller', targetId: reseller.id, before, after: resellerAudit(reseller) },
    });
    return { reseller, revoked };
  });
  void announceRevoked(ctx.deps, revoked);
  return reseller;
}
