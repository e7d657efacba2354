// The maker's authority when its request is executed, not only when it was
// made: a maker disabled, moved to a weaker role or cut off from the merchant
// while the request waited has it fail instead of run. A pending approval
// outlives the maker's session, so the session does not count here; the
// user's status, role and merchant access do, in the context it acted in.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ContextInput, DecisionResult, PrincipalInput } from '../../core/policy/types.ts';
import type { PolicyEngine } from '../../core/policy/engine.ts';
import { merchantInput, principalInput } from '../../core/principal/build.ts';
import { loadMerchantRecord, loadRoleRecord, loadUserRecord } from '../../core/principal/load.ts';
import { emRows } from '../db/rows.ts';
import type { RoleRecord, UserRecord } from '../../core/principal/records.ts';
import type { Approval } from './approval.entity.ts';
import type { StoredGatewayRequest } from '../../core/approvals/stored-request.ts';

export interface Maker {
  user: UserRecord;
  principal: PrincipalInput;
  context: ContextInput;
  role: RoleRecord | null;
}

/** The maker as it is now, or null when it no longer exists in the approval's tenant. */
export async function loadMaker(em: EntityManager, approval: Approval): Promise<Maker | null> {
  const user = await loadUserRecord(emRows(em), approval.makerId);
  if (!user || user.tenantId !== approval.tenantId) return null;
  const role = await loadRoleRecord(emRows(em), user.roleId);
  const session = { id: `approval:${approval.id}`, userId: user.id, active: true, expiresAt: Number.MAX_SAFE_INTEGER };
  return {
    user,
    principal: principalInput(user, role, session),
    context: { type: approval.makerContextType as ContextInput['type'], id: approval.makerContextId },
    role,
  };
}

/** The gateway's write decision for the stored request, with the maker's current records. */
export async function makerWriteDecision(em: EntityManager, policy: PolicyEngine, approval: Approval, maker: Maker): Promise<DecisionResult> {
  const stored = approval.request as unknown as StoredGatewayRequest;
  const merchant = approval.merchantId === null ? null : await loadMerchantRecord(emRows(em), approval.merchantId);
  return policy.decide({
    principal: maker.principal,
    context: maker.context,
    request: {
      module: approval.module,
      action: 'write',
      merchant: merchantInput(merchant),
      merchant_id: approval.merchantId ?? '',
      product_id: stored.productId,
      gateway_ref_id: stored.gatewayRefId,
      // The gateway required a located product (gateway reference) of a restricted maker when it held the request.
      product_required: false,
      gateway_ref_required: false,
      maker_id: '',
    },
  });
}
