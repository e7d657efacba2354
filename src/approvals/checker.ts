// Who may decide an approval is the compiled policy's call (`authz/decision`,
// action "approve"): CHECKER on the module (or its paired approval module),
// a context covering the approval's merchant, never the maker. The list
// filters below mirror those rules in SQL so pages stay full; every row is
// still checked with the policy before it is shown.
import { raw, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../app/request-context.ts';
import { ApiError } from '../../core/http/errors.ts';
import { catalogueSet } from '../modules/catalogue.ts';
import type { ContextInput, DecisionInput, DecisionResult } from '../../core/policy/types.ts';
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
      maker_id: f.makerId,
      maker_context: f.makerContext,
      ...(f.targetUserId !== undefined && { target_user_id: f.targetUserId }),
      ...(f.targetRoleId !== undefined && { target_role_id: f.targetRoleId }),
    },
  };
}

/** What a control-plane action acts on, so the policy keeps its subject from deciding it. */
function targetOf(approval: Approval): Pick<ApproveFacts, 'targetUserId' | 'targetRoleId'> {
  if (approval.kind !== 'CONTROL_PLANE') return {};
  const action = approval.request as unknown as StoredControlPlaneAction;
  return action.action === 'user.hard_delete' ? { targetUserId: action.targetId } : { targetRoleId: action.targetId };
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The policy's verdict on the caller deciding `approval`. */
export async function checkerDecision(request: FastifyRequest, approval: Approval, lookup: MerchantLookup): Promise<DecisionResult> {
  const merchantId = approval.merchantId ?? '';
  return request.server.deps.policy.decide(approveInput(request.actor, {
    module: approval.module,
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
  ['SOD_VIOLATION', 'nobody approves or rejects their own request, nor one about themselves or their role'],
  ['INSUFFICIENT_PERMISSION', 'deciding needs CHECKER on the module'],
  ['MERCHANT_ACCESS_DENIED', 'the request is for a merchant outside your access in this context'],
  ['PRODUCT_RESTRICTED', 'the request is for a product outside your restrictions'],
  ['GATEWAY_RESTRICTED', 'the request is for a gateway outside your restrictions'],
];

/** Throws 403 unless the policy lets the caller approve or reject `approval`. */
export async function requireChecker(request: FastifyRequest, approval: Approval, lookup: MerchantLookup): Promise<void> {
  const { allow, reasons } = await checkerDecision(request, approval, lookup);
  if (allow) return;
  const [reason, message] = refusals.find(([r]) => reasons.includes(r)) ?? [reasons[0] ?? 'FORBIDDEN', 'not allowed'];
  // INSUFFICIENT_PERMISSION is a gateway code; the control plane says FORBIDDEN for a missing level.
  const code = reason === 'INSUFFICIENT_PERMISSION' ? 'FORBIDDEN' : reason;
  throw new ApiError(403, code, reason === 'INSUFFICIENT_PERMISSION' ? `${message} ${approval.module}` : message, { reasons });
}

/** Modules on which the policy lets the caller approve in its current context. */
export async function decidableModules(request: FastifyRequest, lookup: MerchantLookup): Promise<string[]> {
  const { policy, config } = request.server.deps;
  const { context } = request.actor;
  const merchant = context.type === 'MERCHANT' ? await lookup(context.id) : null;
  return [...catalogueSet(policy, config)].filter((module) =>
    policy.decide(approveInput(request.actor, {
      module,
      merchant,
      merchantId: context.type === 'MERCHANT' ? context.id : '',
      productId: '',
      gatewayRefId: '',
      makerId: '',
      makerContext: context,
    })).allow,
  );
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
