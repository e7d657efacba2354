// Every state change of an approval is one conditional UPDATE (`where status
// = <expected>`), committed with its audit event. Two checkers, two sweepers
// or a checker and a sweeper racing on one row: PostgreSQL's row lock makes
// the second UPDATE re-read the row, find the status changed and touch
// nothing, so each step happens exactly once.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordAudit, type AuditActor } from '../audit/record.ts';
import { Approval, type ApprovalStatus } from './approval.entity.ts';
import type { ApprovalResult } from '../../core/approvals/stored-request.ts';
import { approvalAudit } from '../../core/approvals/audit.ts';

export interface NewApproval {
  tenantId: string;
  kind: Approval['kind'];
  module: string;
  merchantId: string | null;
  makerId: string;
  makerContextType: string;
  makerContextId: string;
  request: Record<string, unknown>;
}

/** Stores a PENDING approval and its `approval.requested` event in the caller's transaction. */
export function createApproval(em: EntityManager, actor: AuditActor, fields: NewApproval, now: Date, ttlHours: number): Approval {
  const approval = em.create(Approval, {
    ...fields,
    id: randomUUID(),
    status: 'PENDING',
    createdAt: now,
    expiresAt: new Date(now.getTime() + ttlHours * 3600_000),
  });
  em.persist(approval);
  recordAudit(em, actor, { action: 'approval.requested', targetType: 'approval', targetId: approval.id, after: approvalAudit(approval) });
  return approval;
}

export interface Transition {
  from: ApprovalStatus;
  to: ApprovalStatus;
  checkerId?: string;
  reason?: string;
  result?: ApprovalResult;
  decidedAt?: Date;
  /** Only while not expired at this time (approve and reject). */
  liveAt?: Date;
}

/** Moves one approval from `from` to `to` if it still is `from`; true when this call did it. */
export async function transition(em: EntityManager, id: string, t: Transition): Promise<boolean> {
  const sets: [string, unknown][] = [['status = ?', t.to]];
  if (t.checkerId !== undefined) sets.push(['checker_id = ?', t.checkerId]);
  if (t.reason !== undefined) sets.push(['reason = ?', t.reason]);
  if (t.result !== undefined) sets.push(['result = ?::jsonb', JSON.stringify(t.result)]);
  if (t.decidedAt !== undefined) sets.push(['decided_at = ?', t.decidedAt]);
  const where: [string, unknown][] = [['id = ?', id], ['status = ?', t.from]];
  if (t.liveAt !== undefined) where.push(['expires_at > ?', t.liveAt]);
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `update approvals set ${sets.map(([c]) => c).join(', ')}, version = version + 1 where ${where.map(([c]) => c).join(' and ')} returning id`,
    [...sets.map(([, v]) => v), ...where.map(([, v]) => v)],
    'all',
    em.getTransactionContext(),
  );
  return rows.length === 1;
}

/** The approval as committed now (a fresh read, never an identity-map copy). */
export async function readApproval(em: EntityManager, tenantId: string, id: string): Promise<Approval | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
  return em.fork().findOne(Approval, { id, tenantId });
}

const SWEEP_BATCH = 500;

/**
 * Expires PENDING approvals past their time (of one tenant, one approval, or
 * all), each with its `approval.expired` event in the same transaction.
 * Concurrent sweepers skip rows another one holds. Returns how many expired.
 */
export async function expireDue(em: EntityManager, now: Date, only: { tenantId?: string; id?: string } = {}): Promise<number> {
  return em.transactional(async (tx) => {
    const filters: [string, unknown][] = [['expires_at <= ?', now]];
    if (only.tenantId !== undefined) filters.push(['tenant_id = ?', only.tenantId]);
    if (only.id !== undefined) filters.push(['id = ?', only.id]);
    const rows = await tx.getConnection().execute<
      { id: string; tenant_id: string; kind: Approval['kind']; module: string; merchant_id: string | null; maker_id: string; request: Record<string, unknown>; expires_at: Date }[]
    >(
      `update approvals set status = 'EXPIRED', decided_at = ?, version = version + 1
        where id in (select id from approvals where status = 'PENDING' and ${filters.map(([c]) => c).join(' and ')}
                      order by expires_at limit ${SWEEP_BATCH} for update skip locked)
        returning id, tenant_id, kind, module, merchant_id, maker_id, request, expires_at`,
      [now, ...filters.map(([, v]) => v)],
      'all',
      tx.getTransactionContext(),
    );
    for (const r of rows) {
      const snapshot = { kind: r.kind, module: r.module, merchantId: r.merchant_id, makerId: r.maker_id, request: r.request, expiresAt: new Date(r.expires_at) };
      recordAudit(tx, { tenantId: r.tenant_id, actorId: null, contextType: null, contextId: null, requestId: null }, {
        action: 'approval.expired',
        targetType: 'approval',
        targetId: r.id,
        before: { status: 'PENDING' },
        after: approvalAudit({ ...snapshot, status: 'EXPIRED' }),
      });
    }
    return rows.length;
  });
}
