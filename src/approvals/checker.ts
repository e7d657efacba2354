// Who may decide an approval is the compiled policy's call (`authz/decision`,
// action "approve"): CHECKER on the module (or its paired approval module),
// a context covering the approval's merchant, never the maker. The list
// filters below mirror those rules in SQL so pages stay full; every row is
// still checked with the policy before it is shown.
import { raw, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../context/request-context.ts';
import type { ServiceContext } from '../context/service-context.ts';
import { ApiError } from '../../core/http/errors.ts';
import { catalogueList } from '../modules/catalogue.ts';
import type { CheckerAppointment, ContextInput, DecisionInput, DecisionResult } from '../../core/policy/types.ts';
import { merchantInput } from '../../core/principal/build.ts';
import { loadMerchantRecord } from '../../core/principal/load.ts';
import { emRows } from '../db/rows.ts';
import type { MerchantRecordCached } from '../../core/principal/records.ts';
import type { Approval } from './approval.entity.ts';
import type { StoredControlPlaneAction } from '../../core/approvals/stored-request.ts';

export type MerchantLookup = (id: string) => Promise<MerchantRecordCached | null>;

/** Merchant records of one tenant, read once per request. */
export function merchantLookup(em: EntityManager, tenantId: string): MerchantLookup {
  const seen = new Map<string, Promise<MerchantRecordCached | null>>();
  return (id) => {
    let m = seen.get(id);
    if (!m) {
      m = loadMerchantRecord(emRows(em), id).then((r) => (r && r.tenantId === tenantId ? r : null));
      seen.set(id, m);
    }
    return m;
  };
}

interface ApproveFacts {
  module: string;
  madeAt: number;
  appointments: CheckerAppointment[];
  merchant: MerchantRecordCached | null;
  merchantId: string;
  productId: string;
  gatewayRefId: string;
  makerId: string;
  makerContext: ContextInput;
  targetUserId?: string;
  targetRoleId?: string;
}

function approveInput(actor: Actor, f: ApproveFacts): DecisionInput {
  return {
    principal: actor.principal,
    context: actor.context,
    request: {
      module: f.module,
      action: 'approve',
      merchant: merchantInput(f.merchant),
      merchant_id: f.merchantId,
      product_id: f.productId,
      gateway_ref_id: f.gatewayRefId,
      // What a restricted checker does not name it does not cover: the held request may act on any product.
      product_required: true,
      gateway_ref_required: true,
      maker_id: f.makerId,
      maker_context: f.makerContext,
      made_at: f.madeAt,
      checker_appointments: f.appointments,
      ...(f.targetUserId !== undefined && { target_user_id: f.targetUserId }),
      ...(f.targetRoleId !== undefined && { target_role_id: f.targetRoleId }),
    },
  };
}

/** What a control-plane action acts on, so the policy keeps its subject from deciding it. */
function targetOf(approval: Approval): Pick<ApproveFacts, 'targetUserId' | 'targetRoleId'> {
  if (approval.kind !== 'CONTROL_PLANE') return {};
  const action = approval.request as unknown as StoredControlPlaneAction;
  switch (action.action) {
    case 'user.hard_delete':
    case 'user.role.update':
      return { targetUserId: action.targetId };
    case 'user.invite':
      return {};
    case 'role.update':
    case 'role.enable':
      return { targetRoleId: action.targetId };
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * Audit actions that appoint someone a checker: on the user, inviting it or
 * changing its role, status or scope; on its role, creating (cloning) it,
 * changing its ACL or enabling it. policies/authz/approval.rego refuses a
 * checker the maker appointed after making the request.
 */
const appointingUserActions = [
  'user.invite', 'user.invitation_resent', 'user.role.update', 'user.enable', 'user.restore',
  'user.merchant_access.update', 'user.restrictions.update',
];
const appointingRoleActions = ['role.create', 'role.clone', 'role.update', 'role.enable'];
const quoted = (actions: string[]) => actions.map((a) => `'${a}'`).join(', ');
const appointmentsSql =
  `select actor_id, action, created_at from audit_events
    where tenant_id = ? and created_at >= ? and actor_id is not null
      and ((target_type = 'user' and target_id = ? and action in (${quoted(appointingUserActions)}))
        or (target_type = 'role' and target_id = ? and action in (${quoted(appointingRoleActions)})))`;

/** Who appointed the caller (as a user, or through its current role) since `since`, from the audit trail. */
export async function checkerAppointments(em: EntityManager, actor: Actor, since: Date): Promise<CheckerAppointment[]> {
  const rows = await em.getConnection().execute<{ actor_id: string; action: string; created_at: Date | string }[]>(
    appointmentsSql,
    [actor.user.tenantId, since, actor.user.id, actor.user.roleId],
  );
  return rows.map((r) => ({ by: r.actor_id, at: new Date(r.created_at).getTime(), what: r.action }));
}

/** The policy's verdict on the caller deciding `approval`. */
export async function checkerDecision(ctx: ServiceContext, approval: Approval, lookup: MerchantLookup): Promise<DecisionResult> {
  const merchantId = approval.merchantId ?? '';
  const appointments = await checkerAppointments(ctx.em, ctx.actor, approval.createdAt);
  return ctx.deps.policy.decide(approveInput(ctx.actor, {
    module: approval.module,
    madeAt: approval.createdAt.getTime(),
    appointments,
    merchant: merchantId === '' ? null : await lookup(merchantId),
    merchantId,
    productId: str(approval.request['productId']),
    gatewayRefId: str(approval.request['gatewayRefId']),
    makerId: approval.makerId,
    makerContext: { type: approval.makerContextType as ContextInput['type'], id: approval.makerContextId },
    ...targetOf(approval),
  }));
}

/** The refusal a caller can act on first: approving one's own request outranks lacking the level. */
const refusals: [string, string][] = [
  ['SOD_VIOLATION', 'nobody approves or rejects their own request, one about themselves or their role, or one whose maker appointed them after making it'],
  ['INSUFFICIENT_PERMISSION', 'deciding needs CHECKER on the module'],
  ['MERCHANT_ACCESS_DENIED', 'the request is for a merchant outside your access in this context'],
  ['PRODUCT_RESTRICTED', 'the request is for a product outside your restrictions'],
  ['GATEWAY_RESTRICTED', 'the request is for a gateway outside your restrictions'],
];

/** Throws 403 unless the policy lets the caller approve or reject `approval`. */
export async function requireChecker(ctx: ServiceContext, approval: Approval, lookup: MerchantLookup): Promise<void> {
  const { allow, reasons } = await checkerDecision(ctx, approval, lookup);
  if (allow) return;
  const [reason, message] = refusals.find(([r]) => reasons.includes(r)) ?? [reasons[0] ?? 'FORBIDDEN', 'not allowed'];
  // INSUFFICIENT_PERMISSION is a gateway code; the control plane says FORBIDDEN for a missing level.
  const code = reason === 'INSUFFICIENT_PERMISSION' ? 'FORBIDDEN' : reason;
  throw new ApiError(403, code, reason === 'INSUFFICIENT_PERMISSION' ? `${message} ${approval.module}` : message, { reasons });
}

/** Refusals about what one request covers: a module refused only for these may still hold requests the caller can decide. */
const coverageReasons = new Set(['MERCHANT_ACCESS_DENIED', 'PRODUCT_RESTRICTED', 'GATEWAY_RESTRICTED']);

/**
 * Modules on which the policy lets the caller approve something in its
 * current context (a pre-filter of the list: every row is still decided by
 * checkerDecision). Probed with a request of another maker made in the
 * caller's context.
 */
export async function decidableModules(ctx: ServiceContext, lookup: MerchantLookup): Promise<string[]> {
  const { policy, config } = ctx.deps;
  const { context } = ctx.actor;
  const merchant = context.type === 'MERCHANT' ? await lookup(context.id) : null;
  return catalogueList(policy, config).filter((module) => {
    const { allow, reasons } = policy.decide(approveInput(ctx.actor, {
      module,
      madeAt: 0,
      appointments: [],
      merchant,
      merchantId: context.type === 'MERCHANT' ? context.id : '',
      productId: '',
      gatewayRefId: '',
      makerId: 'another-maker',
      makerContext: context,
    }));
    return allow || (reasons.length > 0 && reasons.every((r) => coverageReasons.has(r)));
  });
}

/**
 * Approvals whose merchant the caller's context covers (as policies/authz
 * merchant_access.rego and approval.rego decide): TENANT ctx → the tenant's
 * (∩ listed merchant access); RESELLER ctx → the reseller's merchants, or no
 * merchant when made in that reseller's context; MERCHANT ctx → that merchant.
 */
export function approvalMerchantScope(actor: Actor): FilterQuery<Approval> {
  const tenantId = actor.user.tenantId;
  const { type, id } = actor.context;
  const listed = actor.user.type === 'MERCHANT' ? [] : actor.user.merchantsAccess;
  switch (type) {
    case 'TENANT':
      return listed.length > 0 ? { $or: [{ merchantId: null }, { merchantId: { $in: listed } }] } : {};
    case 'RESELLER':
      return {
        $or: [
          { merchantId: null, makerContextType: 'RESELLER', makerContextId: id },
          {
            [raw((a: string) => `${a}.merchant_id in (select m.id from merchants m where m.tenant_id = ? and m.reseller_id = ?)`, [tenantId, id])]: [],
            ...(listed.length > 0 ? { merchantId: { $in: listed } } : {}),
          },
        ],
      };
    case 'MERCHANT':
      return { merchantId: id };
  }
}
