// Approve and reject (POST /v1/approvals/:id/approve|reject). Order of
// refusals: 404 outside the tenant; 403 from the policy (SOD_VIOLATION for
// the maker, FORBIDDEN without CHECKER, MERCHANT_ACCESS_DENIED); 410
// APPROVAL_EXPIRED; 409 APPROVAL_NOT_PENDING. Claiming the approval is one
// conditional UPDATE committed with its audit event before anything runs, so
// of two concurrent checkers exactly one executes the request; the other
// gets 409. Execution happens after that commit (never an HTTP call inside a
// transaction) and its outcome is recorded in a second transaction.
import type { ServiceContext } from '../context/service-context.ts';
import type { GatewayRoute } from '../../core/routes/route-table.ts';
import { gatewayRoutes } from '../config/routes.ts';
import type { Config } from '../config/env.ts';
import { forwardApproved } from '../../core/approvals/forward.ts';
import { auditActor } from '../auth/authorize.ts';
import { recordAudit } from '../audit/record.ts';
import { ApiError } from '../../core/http/errors.ts';
import type { Approval, ApprovalStatus } from './approval.entity.ts';
import { merchantLookup, requireChecker } from './checker.ts';
import { executeControlPlaneAction } from './control-plane-execute.ts';
import { loadMaker, makerWriteDecision } from './maker.ts';
import { expireDue, readApproval, transition } from './store.ts';
import type { ApprovalResult, StoredGatewayRequest } from '../../core/approvals/stored-request.ts';
import { approvalAudit } from '../../core/approvals/audit.ts';

/** The approval in the caller's tenant (else 404), expired first when its time has passed. */
export async function currentApproval(ctx: ServiceContext, id: string): Promise<Approval> {
  const { tenantId } = ctx.actor.user;
  const approval = await readApproval(ctx.em, tenantId, id);
  if (!approval) throw new ApiError(404, 'NOT_FOUND', 'approval not found');
  const now = ctx.now();
  if (approval.status !== 'PENDING' || approval.expiresAt > now) return approval;
  await expireDue(ctx.em.fork(), now, { id: approval.id });
  return (await readApproval(ctx.em, tenantId, id))!;
}

function requirePending(approval: Approval): void {
  if (approval.status === 'PENDING') return;
  if (approval.status === 'EXPIRED') throw new ApiError(410, 'APPROVAL_EXPIRED', 'the request expired before a checker decided it');
  throw new ApiError(409, 'APPROVAL_NOT_PENDING', `the request was already decided: ${approval.status}`, { status: approval.status });
}

async function claim(ctx: ServiceContext, approval: Approval, to: 'APPROVED' | 'REJECTED', reason?: string): Promise<void> {
  const checkerId = ctx.actor.user.id;
  const decidedAt = ctx.now();
  const claimed = await ctx.em.fork().transactional(async (em) => {
    const moved = await transition(em, approval.id, { from: 'PENDING', to, checkerId, decidedAt, liveAt: decidedAt, ...(reason !== undefined && { reason }) });
    if (moved) {
      recordAudit(em, auditActor(ctx), {
        action: to === 'APPROVED' ? 'approval.approved' : 'approval.rejected',
        targetType: 'approval',
        targetId: approval.id,
        before: { status: 'PENDING' },
        after: { ...approvalAudit({ ...approval, status: to }), checkerId, ...(reason !== undefined && { reason }) },
      });
    }
    return moved;
  });
  if (claimed) return;
  // Someone else decided it meanwhile, or its time ran out: say which.
  requirePending(await currentApproval(ctx, approval.id));
  throw new ApiError(409, 'APPROVAL_NOT_PENDING', 'the request was decided concurrently');
}

/** Records how execution ended, with its audit event (`approval.executed` carries the upstream's status). */
async function finish(ctx: ServiceContext, approval: Approval, status: ApprovalStatus, result: ApprovalResult): Promise<void> {
  await ctx.em.fork().transactional(async (em) => {
    if (!(await transition(em, approval.id, { from: 'APPROVED', to: status, result }))) return;
    recordAudit(em, auditActor(ctx), {
      action: status === 'EXECUTED' ? 'approval.executed' : 'approval.failed',
      targetType: 'approval',
      targetId: approval.id,
      before: { status: 'APPROVED' },
      after: { status, ...outcomeOf(result) },
    });
  });
}

function outcomeOf(result: ApprovalResult): Record<string, unknown> {
  if ('upstreamStatus' in result) return { upstreamStatus: result.upstreamStatus };
  if ('code' in result) return { code: result.code, ...(result.reasons && { reasons: result.reasons }) };
  return {};
}

/** The route of a stored request in the control plane's copy of the route table. */
function upstreamRoute(config: Pick<Config, 'GATEWAY_ROUTES'>, prefix: string, module: string): GatewayRoute | null {
  return gatewayRoutes(config).find((r) => r.prefix === prefix && r.module === module) ?? null;
}

/**
 * A stored downstream request: re-decided for the maker as it is now, then
 * sent to the route's upstream. An answer below 500 is EXECUTED (the
 * upstream acted or refused on its own terms); a 5xx, a timeout or no answer
 * is FAILED. Either way the status and bounded body are kept; never retried.
 */
async function executeGatewayRequest(ctx: ServiceContext, approval: Approval): Promise<void> {
  const { deps } = ctx;
  const stored = approval.request as unknown as StoredGatewayRequest;
  const em = ctx.em.fork();
  const maker = await loadMaker(em, approval);
  const decision = maker === null ? null : await makerWriteDecision(em, deps.policy, approval, maker);
  if (maker === null || decision === null || !decision.allow) {
    const result = { code: 'MAKER_NOT_PERMITTED', message: 'the maker may no longer make this request', reasons: decision?.reasons ?? ['USER_NOT_FOUND'] };
    return finish(ctx, approval, 'FAILED', result);
  }
  const route = upstreamRoute(deps.config, stored.route, approval.module);
  if (route === null) {
    return finish(ctx, approval, 'FAILED', { code: 'ROUTE_NOT_FOUND', message: `no route ${stored.route} for module ${approval.module} in the route table` });
  }
  const merchantId = typeof decision.merchant_id === 'string' ? decision.merchant_id : '';
  const result = await forwardApproved(route, stored, {
    userId: approval.makerId,
    tenantId: approval.tenantId,
    contextType: approval.makerContextType,
    contextId: approval.makerContextId,
    merchantId,
    merchantScope: merchantId === '' && typeof decision.merchant_scope === 'string' ? decision.merchant_scope : '',
    productScope: typeof decision.product_scope === 'string' ? decision.product_scope : '',
    gatewayRefScope: typeof decision.gateway_ref_scope === 'string' ? decision.gateway_ref_scope : '',
    decisionId: stored.decisionId,
    approvalId: approval.id,
    approvedBy: ctx.actor.user.id,
  }, deps.config.GATEWAY_UPSTREAM_TIMEOUT_MS);
  const executed = 'upstreamStatus' in result && result.upstreamStatus < 500;
  return finish(ctx, approval, executed ? 'EXECUTED' : 'FAILED', result);
}

/** A control-plane action: acts, marks EXECUTED and audits in one transaction; a refusal marks FAILED. */
async function executeControlPlane(ctx: ServiceContext, approval: Approval): Promise<void> {
  const { changes } = ctx.deps;
  let executed;
  try {
    executed = await ctx.em.fork().transactional(async (em) => {
      const maker = await loadMaker(em, approval);
      if (maker === null) throw new ApiError(403, 'MAKER_NOT_PERMITTED', 'the maker no longer exists', { reasons: ['USER_NOT_FOUND'] });
      const executed = await executeControlPlaneAction(ctx, em, approval, maker);
      await transition(em, approval.id, { from: 'APPROVED', to: 'EXECUTED', result: { done: true } });
      recordAudit(em, auditActor(ctx), {
        action: 'approval.executed',
        targetType: 'approval',
        targetId: approval.id,
        before: { status: 'APPROVED' },
        after: { status: 'EXECUTED' },
      });
      return executed;
    });
  } catch (err) {
    if (!(err instanceof ApiError)) {
      ctx.log.error({ err, approvalId: approval.id }, 'executing an approved action failed');
    }
    const e = err instanceof ApiError ? err : new ApiError(500, 'INTERNAL', 'the action failed');
    const reasons = e.details?.['reasons'];
    await finish(ctx, approval, 'FAILED', { code: e.code, message: e.message, ...(Array.isArray(reasons) && { reasons: reasons as string[] }) });
    return;
  }
  void changes.publish(executed.announce);
  await executed.afterCommit?.();
}

export async function approve(ctx: ServiceContext, id: string): Promise<Approval> {
  const approval = await currentApproval(ctx, id);
  await requireChecker(ctx, approval, merchantLookup(ctx.em, approval.tenantId));
  requirePending(approval);
  await claim(ctx, approval, 'APPROVED');
  if (approval.kind === 'GATEWAY') await executeGatewayRequest(ctx, approval);
  else await executeControlPlane(ctx, approval);
  return (await readApproval(ctx.em, approval.tenantId, id))!;
}

export async function reject(ctx: ServiceContext, id: string, reason: string): Promise<Approval> {
  const approval = await currentApproval(ctx, id);
  await requireChecker(ctx, approval, merchantLookup(ctx.em, approval.tenantId));
  requirePending(approval);
  await claim(ctx, approval, 'REJECTED', reason);
  return (await readApproval(ctx.em, approval.tenantId, id))!;
}
