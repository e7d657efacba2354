// What the approvals routes read: the caller's own requests, or those the
// policy lets the caller decide (checker.ts), oldest first; one approval as
// its maker, its checker or a possible checker sees it.
import type { FilterQuery } from '@mikro-orm/core';
import type { ServiceContext } from '../context/service-context.ts';
import { notFound } from '../../core/http/errors.ts';
import { findPage, type Page, type SortKey } from '../http/pagination.ts';
import { Approval, type ApprovalStatus } from './approval.entity.ts';
import { approvalMerchantScope, checkerDecision, decidableModules, merchantLookup } from './checker.ts';
import { currentApproval } from './decide.ts';
import { expireDue } from './store.ts';

const oldestFirst: SortKey<Approval> = { field: 'createdAt', direction: 'asc', kind: 'date' };

export interface ApprovalFilters {
  status?: ApprovalStatus;
  /** true: the caller's own requests, whatever their module; else what the caller may decide. */
  mine?: boolean;
  module?: string;
}

export async function approvalPage(
  ctx: ServiceContext,
  { status, mine, module }: ApprovalFilters,
  cursor: string | undefined,
  limit: number,
): Promise<Page<Approval>> {
  const { user } = ctx.actor;
  await expireDue(ctx.em.fork(), ctx.now(), { tenantId: user.tenantId });
  const filters: FilterQuery<Approval>[] = [{ tenantId: user.tenantId }];
  if (status) filters.push({ status });
  if (module) filters.push({ module });
  if (mine) {
    filters.push({ makerId: user.id });
    return findPage(ctx.em, Approval, filters, oldestFirst, cursor, limit);
  }
  const lookup = merchantLookup(ctx.em, user.tenantId);
  const modules = await decidableModules(ctx, lookup);
  if (modules.length === 0) return { items: [], nextCursor: null };
  filters.push({ module: { $in: modules }, makerId: { $ne: user.id } }, approvalMerchantScope(ctx.actor));
  const page = await findPage(ctx.em, Approval, filters, oldestFirst, cursor, limit);
  const verdicts = await Promise.all(page.items.map((a) => checkerDecision(ctx, a, lookup)));
  return { items: page.items.filter((_, i) => verdicts[i]!.allow), nextCursor: page.nextCursor };
}

/** The approval, for its maker, its checker or anyone the policy lets decide it; 404 for anyone else. */
export async function visibleApproval(ctx: ServiceContext, id: string): Promise<Approval> {
  const approval = await currentApproval(ctx, id);
  const me = ctx.actor.user.id;
  const visible = approval.makerId === me || approval.checkerId === me
    || (await checkerDecision(ctx, approval, merchantLookup(ctx.em, approval.tenantId))).allow;
  if (!visible) throw notFound('approval');
  return approval;
}
