// Admin operations are decided by the compiled policy (`authz/admin`), not by
// TypeScript: the route names the operation, Rego says yes or why not.
import { ApiError } from '../../core/http/errors.ts';
import { merchantInput } from '../../core/principal/build.ts';
import type { MerchantRecordCached } from '../../core/principal/records.ts';
import type { AdminInput, TargetRoleInput, TargetUserInput } from '../../core/policy/types.ts';
import type { AuditActor } from '../audit/record.ts';
import type { ServiceContext } from '../context/service-context.ts';

/** What a decision needs of a service context: who acts, and the policy. */
export type Asker = Pick<ServiceContext, 'actor' | 'deps'>;

const messages: Record<string, string> = {
  FORBIDDEN: 'your role does not allow this in the current context',
  MERCHANT_OUT_OF_SCOPE: 'merchant is outside your merchant access',
  USER_DISABLED: 'user is not active',
  ROLE_DISABLED: 'your role is disabled',
  SESSION_REVOKED: 'session ended',
  SELF_MODIFICATION: 'nobody changes their own role, status or access',
  PRIVILEGE_ESCALATION: 'that would grant more than you hold',
};

export function authorize(ctx: Asker, operation: string, merchant?: MerchantRecordCached): void {
  authorizeWith(ctx, operation, merchant ? { merchant } : {});
}

/** Records an operation acts on, looked up by the route; the policy decides on them. */
export interface AdminFacts {
  merchant?: MerchantRecordCached;
  target?: TargetUserInput;
  merchants?: MerchantRecordCached[];
  restrictions?: { productIds: string[]; gatewayRefIds: string[] };
  role?: TargetRoleInput;
}

export function authorizeWith(ctx: Asker, operation: string, facts: AdminFacts): void {
  const { principal, context } = ctx.actor;
  const input: AdminInput = { principal, context, operation };
  if (facts.merchant) input.merchant = merchantInput(facts.merchant)!;
  if (facts.target) input.target = facts.target;
  if (facts.merchants) input.merchants = facts.merchants.map((m) => merchantInput(m)!);
  if (facts.restrictions) {
    input.restrictions = { product_ids: facts.restrictions.productIds, gateway_ref_ids: facts.restrictions.gatewayRefIds };
  }
  if (facts.role) input.role = facts.role;
  const result = ctx.deps.policy.admin(input);
  if (result.allow) return;
  const code = result.reasons[0] ?? 'FORBIDDEN';
  throw new ApiError(403, code, messages[code] ?? 'not allowed', { reasons: result.reasons });
}

/** Whether the policy allows, without throwing (for filtering lists). */
export function isAllowed(ctx: Asker, operation: string, merchant?: MerchantRecordCached): boolean {
  try {
    authorize(ctx, operation, merchant);
    return true;
  } catch {
    return false;
  }
}

export function auditActor(ctx: Pick<ServiceContext, 'actor' | 'trail'>): AuditActor {
  const a = ctx.actor;
  return {
    tenantId: a.user.tenantId,
    actorId: a.user.id,
    contextType: a.context.type,
    contextId: a.context.id,
    requestId: ctx.trail.requestId,
    clientRequestId: ctx.trail.clientRequestId,
  };
}
