// The merchants capability's services. TENANT context creates a merchant with
// its full configuration, directly under the tenant or under a reseller.
// RESELLER context creates one under its own reseller with basic details (and
// initial roles) only: the platform configuration (settings, platforms,
// products) is not accepted, and the merchant inherits its reseller's payment
// gateways and security settings (2FA, lockout, password policy) at read
// time. Editing follows the same split: RESELLER context edits the basic
// details (name, email, country) of its own merchants only. Merchants outside
// the actor's scope or merchant access are 404, like at every read.
import { randomUUID } from 'node:crypto';
import { inTransaction, type ServiceContext } from '../context/service-context.ts';
import { auditActor, authorize } from '../auth/authorize.ts';
import { announceRevoked } from '../auth/sessions.ts';
import { recordAudit } from '../audit/record.ts';
import { badRequest, conflict } from '../../core/http/errors.ts';
import { findResellerInScope } from '../resellers/scope.ts';
import { checkAcl } from '../roles/acl.ts';
import { Role, type Acl } from '../roles/role.entity.ts';
import { recordSettingsEdit } from '../security/mfa-tightening.ts';
import { ID_UNAVAILABLE } from '../users/email-unique.ts';
import { findMerchantInScope } from '../users/scope.ts';
import { Merchant, type MerchantSettings } from './merchant.entity.ts';
import { merchantIdTaken } from './queries.ts';
import { merchantAudit } from './view.ts';

/** A role for the merchant's users, owned by the merchant (scope MERCHANT). */
export interface InitialRole {
  name: string;
  description?: string;
  acl: Acl;
  requireMfa?: boolean;
}

export interface MerchantDetails {
  name?: string;
  email?: string;
  country?: string;
  /** Fields sent replace, others stay. */
  settings?: MerchantSettings;
  platforms?: string[];
  products?: string[];
}

export interface NewMerchant extends MerchantDetails {
  id: string;
  name: string;
  email: string;
  country: string;
  resellerId?: string;
  initialRoles?: InitialRole[];
}

function platformConfiguration(details: MerchantDetails): boolean {
  return details.settings !== undefined || details.platforms !== undefined || details.products !== undefined;
}

export async function createMerchant(ctx: ServiceContext, body: NewMerchant): Promise<{ merchant: Merchant; roles: Role[] }> {
  authorize(ctx, 'merchants.create');
  const initialRoles = body.initialRoles ?? [];
  if (initialRoles.length > 0) authorize(ctx, 'roles.create.MERCHANT');
  const { context, user } = ctx.actor;
  if (context.type === 'RESELLER' && platformConfiguration(body)) {
    throw badRequest('in RESELLER context the platform configuration (settings, platforms, products) is inherited from the reseller');
  }
  if (new Set(initialRoles.map((r) => r.name)).size !== initialRoles.length) throw badRequest('initialRoles have duplicate names');
  for (const r of initialRoles) checkAcl(ctx, r.acl);
  return ctx.em.transactional(async (em) => {
    const resellerId = body.resellerId ?? (context.type === 'RESELLER' ? context.id : undefined);
    // RESELLER context sees only its own reseller: naming another is 404.
    if (resellerId !== undefined) await findResellerInScope(inTransaction(ctx, em), resellerId);
    // Ids are unique across the installation; the refusal names no holder (users/email-unique.ts).
    if (await merchantIdTaken(em, body.id)) throw conflict('CONFLICT', ID_UNAVAILABLE);
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
    recordAudit(em, auditActor(ctx), {
      action: 'merchant.create',
      targetType: 'merchant',
      targetId: merchant.id,
      after: { ...merchantAudit(merchant), initialRoles: roles.map((r) => ({ id: r.id, name: r.name, acl: r.acl })) },
    });
    return { merchant, roles };
  });
}

/** Turning the merchant's 2FA on ends the sessions of its users who have not enrolled. */
export async function updateMerchant(ctx: ServiceContext, id: string, body: MerchantDetails): Promise<Merchant> {
  authorize(ctx, 'merchants.update');
  if (ctx.actor.context.type === 'RESELLER' && platformConfiguration(body)) {
    throw badRequest('in RESELLER context the platform configuration (settings, platforms, products) is the tenant\'s to edit');
  }
  const { merchant, revoked } = await ctx.em.transactional(async (em) => {
    const merchant = await findMerchantInScope(inTransaction(ctx, em), id);
    // The policy sees the record too (merchant access, reseller of the context).
    authorize(ctx, 'merchants.update', { id: merchant.id, tenantId: merchant.tenantId, resellerId: merchant.resellerId });
    const before = merchantAudit(merchant);
    const beforeSettings = merchant.settings;
    if (body.name !== undefined) merchant.name = body.name;
    if (body.email !== undefined) merchant.email = body.email.toLowerCase();
    if (body.country !== undefined) merchant.country = body.country;
    if (body.settings !== undefined) merchant.settings = { ...merchant.settings, ...body.settings };
    if (body.platforms !== undefined) merchant.platforms = body.platforms;
    if (body.products !== undefined) merchant.products = body.products;
    const revoked = await recordSettingsEdit(inTransaction(ctx, em), {
      mfa: [beforeSettings, merchant.settings],
      layer: { tenantId: merchant.tenantId, merchantId: merchant.id },
      event: { action: 'merchant.update', targetType: 'merchant', targetId: merchant.id, before, after: merchantAudit(merchant) },
    });
    return { merchant, revoked };
  });
  void announceRevoked(ctx.deps, revoked);
  return merchant;
}
