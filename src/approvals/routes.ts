// /v1/approvals (docs/domain.md#maker-checker) and the tenant's approval
// settings. Nothing here needs an admin operation: what a caller sees and may
// decide is the policy's `approve` verdict per approval (checker.ts), and
// makers always see their own requests (`mine=true`).
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { serviceContext } from '../context/service-context.ts';
import { authenticate } from '../auth/authenticate.ts';
import { PageOf, PageQuery } from '../http/pagination.ts';
import { IdParams, bearer, errorResponses } from '../http/schemas.ts';
import { approve, reject } from './decide.ts';
import { scheduleExpirySweep } from './expiry.ts';
import { approvalPage, visibleApproval } from './queries.ts';
import { approvalSettings, updateApprovalSettings } from './settings.ts';
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
    const { cursor, limit, ...filters } = request.query;
    const page = await approvalPage(serviceContext(request), filters, cursor, limit);
    return { items: page.items.map(approvalView), nextCursor: page.nextCursor };
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
    return approvalView(await visibleApproval(serviceContext(request), request.params.id));
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
  }, async (request) => approvalView(await approve(serviceContext(request), request.params.id)));

  app.post('/approvals/:id/reject', {
    schema: {
      tags: ['approvals'],
      summary: 'Reject with a reason: the request never runs',
      security: bearer,
      params: IdParams,
      body: RejectBody,
      response: { 200: ApprovalView, ...errorResponses(400, 403, 404, 409, 410) },
    },
  }, async (request) => approvalView(await reject(serviceContext(request), request.params.id, request.body.reason)));

  app.get('/tenants/current/approval-settings', {
    schema: {
      tags: ['approvals'],
      summary: 'Which control-plane actions of the caller\'s tenant need a checker',
      security: bearer,
      response: { 200: ApprovalSettings, ...errorResponses(403) },
    },
  }, async (request) => {
    return approvalSettings(serviceContext(request));
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
    return updateApprovalSettings(serviceContext(request), request.body);
  });
};
