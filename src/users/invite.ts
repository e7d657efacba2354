// POST /v1/users: invite a user (docs/domain.md#creation and #user-lifecycle). The creation table is
// policy data (`users.create.<TYPE>` per context); this file looks up what
// the policy needs and applies the rules on the request's shape.
import { Type, type Static } from '@sinclair/typebox';
import { inTransaction, type ServiceContext } from '../context/service-context.ts';
import { auditActor, authorize, authorizeWith } from '../auth/authorize.ts';
import { recordAudit } from '../audit/record.ts';
import { badRequest, conflict, forbidden } from '../../core/http/errors.ts';
import { ContextTypeSchema, Email, IdList } from '../http/schemas.ts';
import { merchantRecords } from '../merchants/queries.ts';
import { findResellerInScope } from '../resellers/scope.ts';
import { assignableRole } from '../roles/assignment.ts';
import type { ContextType } from '../roles/role.entity.ts';
import { effectiveAcl, holdIfRaised, orHold, raisedModules } from '../approvals/level-raise.ts';
import type { Approval } from '../approvals/approval.entity.ts';
import type { IssuedLink } from '../invitations/issue.ts';
import { EMAIL_UNAVAILABLE, emailTaken } from './email-unique.ts';
import { mailInvitation, persistInvitedUser } from './invitation.ts';
import { checkMerchantGrant } from './merchant-grant.ts';
import type { User } from './user.entity.ts';
import { userAudit } from './view.ts';

export const InviteBody = Type.Object(
  {
    email: Email,
    roleId: Type.String({ maxLength: 64 }),
    type: Type.Optional(ContextTypeSchema),
    resellerId: Type.Optional(Type.String({ maxLength: 64 })),
    merchantId: Type.Optional(Type.String({ maxLength: 64 })),
    merchantsAccess: Type.Optional(IdList()),
    productIds: Type.Optional(IdList()),
    gatewayRefIds: Type.Optional(IdList()),
  },
  { additionalProperties: false },
);
type InviteBody = Static<typeof InviteBody>;

/**
 * Invites at once, or — when the tenant requires a checker for level raises
 * and the role grants anything (a new user goes from nothing to the role) —
 * answers the pending approval instead.
 */
export async function inviteUser(ctx: ServiceContext, body: InviteBody): Promise<{ done: User } | { pending: Approval }> {
  return orHold(ctx, async () => {
    const { user, invitation } = await ctx.em.transactional((em) => createInvitedUser(inTransaction(ctx, em), body, { holdRaise: true }));
    await mailInvitation(ctx, user.email, invitation);
    return user;
  });
}

/**
 * Every check and the INVITED row with its link, in `tx.em`'s transaction
 * (the mail is the caller's, after commit). An approved invitation runs this
 * again with the maker's current authority and `holdRaise: false`.
 */
export async function createInvitedUser(
  tx: ServiceContext,
  body: InviteBody,
  opts: { holdRaise: boolean; approvalId?: string },
): Promise<{ user: User; invitation: IssuedLink }> {
  const type = body.type ?? tx.actor.context.type;
  const operation = `users.create.${type}`;
  authorize(tx, operation);
  const email = body.email.toLowerCase();
  const home = await homeOf(tx, operation, type, body);
  const target = { id: '', type, tenantId: tx.actor.user.tenantId, ...home };
  const merchantsAccess = body.merchantsAccess ?? [];
  await checkMerchantGrant(tx, operation, target, merchantsAccess);
  const restrictions = { productIds: body.productIds ?? [], gatewayRefIds: body.gatewayRefIds ?? [] };
  authorizeWith(tx, operation, { restrictions });
  const role = await assignableRole(tx, body.roleId, target);
  if (await emailTaken(tx.em, email)) throw conflict('CONFLICT', EMAIL_UNAVAILABLE);
  if (opts.holdRaise) {
    await holdIfRaised(tx, raisedModules(tx, effectiveAcl(null), role.acl), (raised) => ({
      merchantId: home.merchantId,
      request: { action: 'user.invite', targetId: email, invite: { ...body, email }, raised },
    }));
  }
  const created = await persistInvitedUser(tx, { email, type, ...home, roleId: role.id, merchantsAccess, ...restrictions });
  const after = { ...userAudit(created.user), ...(opts.approvalId !== undefined && { approvalId: opts.approvalId }) };
  recordAudit(tx.em, auditActor(tx), { action: 'user.invite', targetType: 'user', targetId: created.user.id, after });
  return created;
}

/**
 * Where the new user belongs. A reseller user needs `resellerId` (its own in
 * RESELLER context), a merchant user `merchantId` (its own in MERCHANT
 * context) and takes its merchant's reseller (see User.resellerId).
 */
async function homeOf(
  tx: ServiceContext,
  operation: string,
  type: ContextType,
  body: InviteBody,
): Promise<{ resellerId: string | null; merchantId: string | null }> {
  const context = tx.actor.context;
  switch (type) {
    case 'TENANT':
      if (body.resellerId !== undefined || body.merchantId !== undefined) throw badRequest('a TENANT user belongs to no reseller or merchant');
      return { resellerId: null, merchantId: null };
    case 'RESELLER': {
      if (body.merchantId !== undefined) throw badRequest('a RESELLER user belongs to no merchant');
      const resellerId = body.resellerId ?? (context.type === 'RESELLER' ? context.id : undefined);
      if (resellerId === undefined) throw badRequest('resellerId is required for a RESELLER user');
      await findResellerInScope(tx, resellerId);
      return { resellerId, merchantId: null };
    }
    case 'MERCHANT': {
      const merchantId = body.merchantId ?? (context.type === 'MERCHANT' ? context.id : undefined);
      if (merchantId === undefined) throw badRequest('merchantId is required for a MERCHANT user');
      const [merchant] = await merchantRecords(tx.em, [merchantId]);
      if (!merchant) throw forbidden('MERCHANT_OUT_OF_SCOPE', 'merchant is outside your merchant access');
      authorizeWith(tx, operation, { merchant });
      if (body.resellerId !== undefined && body.resellerId !== merchant.resellerId) {
        throw badRequest("a MERCHANT user's reseller is its merchant's; omit resellerId");
      }
      return { resellerId: merchant.resellerId, merchantId: merchant.id };
    }
  }
}
