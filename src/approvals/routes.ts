// /v1/approvals (docs/domain.md#maker-checker) and the tenant's approval
// settings. Nothing here needs an admin operation: what a caller sees and may
// decide is the policy's `approve` verdict per approval (checker.ts), and
// makers always see their own requests (`mine=true`).
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FilterQuery } from '@mikro-orm/core';
import { authenticate } from '../auth/authenticate.ts';
import { auditActor, authorize } from '../auth/authorize.ts';
import { recordAudit } from '../audit/record.ts';
import { notFound } from '../../core/http/errors.ts';
import { findPage, PageOf, PageQuery, type SortKey } from '../http/pagination.ts';
import { IdParams, bearer, errorResponses } from '../http/schemas.ts';
import { Tenant } from '../tenants/tenant.entity.ts';
import { Approval } from './approval.entity.ts';
import { approvalMerchantScope, checkerDecision, decidableModules, merchantLookup } from './checker.ts';
import { approve, currentApproval, reject } from './decide.ts';
import { scheduleExpirySweep } from './expiry.ts';
import { expireDue } from './store.ts';
import { ApprovalStatusSchema, ApprovalView, approvalView } from './view.ts';

const ListQuery = Type.Object(
  {
    status: Type.Optional(ApprovalStatusSchema),
    /** true: the caller's own requests, whatever their module; else what the caller may decide. */
    mine: Type.Optional(Type.Boolean()),
    module: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

const RejectBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false });
const ApproveBody = Type.Union([Type.Object({}, { additionalProperties: false }), Type.Null()]);

const ApprovalSettings = Type.Object(
  {
    /** DELETE /users/:id answers 202 and waits for a checker (CHECKER on user_hard_delete). */
    hardDeleteUser: Type.Boolean(),
    /** PATCH /roles/:id that raises a level answers 202 and waits for a checker (CHECKER on roles). */
    roleLevelRaise: Type.Boolean(),
  },
  { additionalProperties: false },
);
const SettingsPatch = Type.Partial(ApprovalSettings, { additionalProperties: false, minProperties: 1 });

const oldestFirst: SortKey<Approval> = { field: 'createdAt', direction: 'asc', kind: 'date' };

const settingsOf = (t: Tenant) => ({ hardDeleteUser: t.approvals.hardDeleteUser === true, roleLevelRaise: t.approvals.roleLevelRaise === true });

export const approvalsRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', authenticate);
  scheduleExpirySweep(fastify);

  app.get('/approvals', {
    schema: {
      tags: ['approvals'],
      summary: 'Approvals waiting for the caller (or, with mine=true, the caller\'s own), oldest first',
      description:
        'Without mine: approvals of the caller\'s tenant that the policy lets the caller decide — CHECKER on the module (or its paired ' +
        'approval module), a merchant the current context covers, never the caller\'s own. status filters (all statuses when absent).',
      security: bearer,
      querystring: ListQuery,
      response: { 200: PageOf(ApprovalView), ...errorResponses(400) },
    },
  }, async (request) => {
    const { status, mine, module, cursor, limit } = request.query;
    const { user } = request.actor;
    await expireDue(request.em.fork(), request.server.deps.now(), { tenantId: user.tenantId });
    const filters: FilterQuery<Approval>[] = [{ tenantId: user.tenantId }];
    if (status) filters.push({ status });
    if (module) filters.push({ module });
    if (mine) {
      filters.push({ makerId: user.id });
      const page = await findPage(request.em, Approval, filters, oldestFirst, cursor, limit);
      return { items: page.items.map(approvalView), nextCursor: page.nextCursor };
    }
    const lookup = merchantLookup(request.em, user.tenantId);
    const modules = await decidableModules(request, lookup);
    if (modules.length === 0) return { items: [], nextCursor: null };
    filters.push({ module: { $in: modules }, makerId: { $ne: user.id } }, approvalMerchantScope(request.actor));
    const page = await findPage(request.em, Approval, filters, oldestFirst, cursor, limit);
    const verdicts = await Promise.all(page.items.map((a) => checkerDecision(request, a, lookup)));
    return { items: page.items.filter((_, i) => verdicts[i]!.allow).map(approvalView), nextCursor: page.nextCursor };
  });

  app.get('/approvals/:id', {
    schema: {
      tags: ['approvals'],
      summary: 'One approval: its maker, the checkers who may decide it and the one who did see it; 404 for anyone else',
      security: bearer,
      params: IdParams,
      response: { 200: ApprovalView, ...errorResponses(404) },
    },
  }, async (request) => {
    const approval = await currentApproval(request, request.params.id);
    const me = request.actor.user.id;
    const visible = approval.makerId === me || approval.checkerId === me
      || (await checkerDecision(request, approval, merchantLookup(request.em, approval.tenantId))).allow;
    if (!visible) throw notFound('approval');
    return approvalView(approval);
  });

  app.post('/approvals/:id/approve', {
    schema: {
      tags: ['approvals'],
      summary: 'Approve: the stored request or action runs once, as the maker, and its outcome is recorded',
      description:
        'Answers the approval after execution: EXECUTED (upstream answered below 500, or the action was done) or FAILED (5xx, no answer, ' +
        'or the maker may no longer do it), with result. 403 SOD_VIOLATION for the maker, FORBIDDEN without CHECKER, MERCHANT_ACCESS_DENIED; ' +
        '410 APPROVAL_EXPIRED; 409 APPROVAL_NOT_PENDING when already decided.',
      security: bearer,
      params: IdParams,
      body: ApproveBody,
      response: { 200: ApprovalView, ...errorResponses(400, 403, 404, 409, 410) },
    },
  }, async (request) => approvalView(await approve(request, request.params.id)));

  app.post('/approvals/:id/reject', {
    schema: {
      tags: ['approvals'],
      summary: 'Reject with a reason: the request never runs',
      security: bearer,
      params: IdParams,
      body: RejectBody,
      response: { 200: ApprovalView, ...errorResponses(400, 403, 404, 409, 410) },
    },
  }, async (request) => approvalView(await reject(request, request.params.id, request.body.reason)));

  app.get('/tenants/current/approval-settings', {
    schema: {
      tags: ['approvals'],
      summary: 'Which control-plane actions of the caller\'s tenant need a checker',
      security: bearer,
      response: { 200: ApprovalSettings, ...errorResponses(403) },
    },
  }, async (request) => {
    authorize(request, 'tenants.read');
    return settingsOf(await request.em.findOneOrFail(Tenant, { id: request.actor.user.tenantId }));
  });

  app.patch('/tenants/current/approval-settings', {
    schema: {
      tags: ['approvals'],
      summary: 'Require (or stop requiring) a checker for hard deletes and level-raising role edits (tenants: RW, TENANT context)',
      security: bearer,
      body: SettingsPatch,
      response: { 200: ApprovalSettings, ...errorResponses(400, 403) },
    },
  }, async (request) => {
    authorize(request, 'tenants.approvals.update');
    const tenant = await request.em.transactional(async (em) => {
      const tenant = await em.findOneOrFail(Tenant, { id: request.actor.user.tenantId });
      const before = settingsOf(tenant);
      tenant.approvals = { ...before, ...request.body };
      recordAudit(em, auditActor(request), { action: 'tenant.approval_settings', targetType: 'tenant', targetId: tenant.id, before, after: settingsOf(tenant) });
      return tenant;
    });
    return settingsOf(tenant);
  });
};
