// /v1/roles (docs/domain.md#roles): HTTP only. What the routes do is in
// service.ts, what they read in queries.ts, visibility in scope.ts.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { serviceContext } from '../context/service-context.ts';
import { ApprovalPending, pendingView } from '../approvals/view.ts';
import { authenticate } from '../auth/authenticate.ts';
import { authorize } from '../auth/authorize.ts';
import { PageOf, PageQuery } from '../http/pagination.ts';
import { ContextTypeSchema, IdParams, NoBody, bearer, errorResponses } from '../http/schemas.ts';
import { UserStatusSchema } from '../users/view.ts';
import { AclSchema } from './acl.ts';
import { activeUsersCount, listedHolders, rolePage } from './queries.ts';
import { findRoleInScope } from './scope.ts';
import { cloneRole, createRole, deleteRole, setRoleEnabled, updateRole } from './service.ts';
import { RoleView, roleView } from './view.ts';

const Name = Type.String({ minLength: 1, maxLength: 100 });
const Description = Type.String({ maxLength: 500 });

const CreateBody = Type.Object(
  { name: Name, description: Type.Optional(Description), scope: ContextTypeSchema, acl: AclSchema, requireMfa: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);

const PatchBody = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    acl: Type.Optional(AclSchema),
    requireMfa: Type.Optional(Type.Boolean()),
    /** The version the edit was based on: a stale one answers 409 CONFLICT. */
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

const ListQuery = Type.Object(
  {
    scope: Type.Optional(ContextTypeSchema),
    enabled: Type.Optional(Type.Boolean()),
    /** Name prefix, case-insensitive. */
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

const RoleHolder = Type.Object({ id: Type.String(), email: Type.String(), type: ContextTypeSchema, status: UserStatusSchema });
const RoleDetail = Type.Composite([RoleView, Type.Object({ users: Type.Array(RoleHolder) })]);

const MAX_LISTED_HOLDERS = 100;

export const rolesRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', authenticate);

  app.get('/roles', {
    schema: {
      tags: ['roles'],
      summary: 'Roles the caller sees, by name',
      security: bearer,
      querystring: ListQuery,
      response: { 200: PageOf(RoleView), ...errorResponses(400, 403) },
    },
  }, async (request) => {
    const ctx = serviceContext(request);
    authorize(ctx, 'roles.read');
    const { cursor, limit, ...filters } = request.query;
    const { items, nextCursor } = await rolePage(ctx.em, ctx.actor, filters, cursor, limit);
    return { items: items.map((r) => roleView(r.role, r.activeUsersCount)), nextCursor };
  });

  app.post('/roles', {
    schema: {
      tags: ['roles'],
      summary: 'Create a role owned by the caller\'s context',
      description:
        'scope is the user type it can be given to: at or below the context (TENANT ctx: any; RESELLER ctx: RESELLER or MERCHANT; ' +
        'MERCHANT ctx: MERCHANT), else 403 FORBIDDEN. ACL refusals: unknown module → 400; a module above its ceiling (audit > R) → 403 FORBIDDEN; ' +
        'both sides of a separation-of-duties pair → 422 SOD_VIOLATION {pairs}; more than the caller holds → 403 PRIVILEGE_ESCALATION {modules}.',
      security: bearer,
      body: CreateBody,
      response: { 201: RoleView, ...errorResponses(400, 403, 409, 422) },
    },
  }, async (request, reply) => {
    const role = await createRole(serviceContext(request), request.body);
    return reply.code(201).send(roleView(role, 0));
  });

  app.get('/roles/:id', {
    schema: {
      tags: ['roles'],
      summary: 'A role with its holders (those the caller sees, up to 100) and activeUsersCount',
      security: bearer,
      params: IdParams,
      response: { 200: RoleDetail, ...errorResponses(403, 404) },
    },
  }, async (request) => {
    const ctx = serviceContext(request);
    authorize(ctx, 'roles.read');
    const role = await findRoleInScope(ctx, request.params.id);
    const holders = await listedHolders(ctx.em, ctx.actor, role, MAX_LISTED_HOLDERS);
    return {
      ...roleView(role, await activeUsersCount(ctx.em, ctx.actor, role)),
      users: holders.map((u) => ({ id: u.id, email: u.email, type: u.type, status: u.status })),
    };
  });

  app.patch('/roles/:id', {
    schema: {
      tags: ['roles'],
      summary: 'Edit a role (not its scope); every holder\'s permissions change at once',
      description:
        'When the tenant requires a checker for level raises (approval settings), an ACL that lets holders do more answers 202 {approvalId}; ' +
        'the raise is decided on the role as locked for the edit, so a concurrent edit cannot hide one.',
      security: bearer,
      params: IdParams,
      body: PatchBody,
      response: { 200: RoleView, 202: ApprovalPending, ...errorResponses(400, 403, 404, 409, 422) },
    },
  }, async (request, reply) => {
    const ctx = serviceContext(request);
    const { version, ...patch } = request.body;
    const outcome = await updateRole(ctx, request.params.id, patch, version);
    if ('pending' in outcome) return reply.code(202).send(pendingView(outcome.pending));
    return roleView(outcome.done, await activeUsersCount(ctx.em, ctx.actor, outcome.done));
  });

  app.delete('/roles/:id', {
    schema: {
      tags: ['roles'],
      summary: 'Delete a role nobody holds (409 ROLE_HAS_ACTIVE_USERS otherwise)',
      security: bearer,
      params: IdParams,
      body: NoBody,
      response: { 204: { type: 'null', description: 'deleted' }, ...errorResponses(400, 403, 404, 409) },
    },
  }, async (request, reply) => {
    await deleteRole(serviceContext(request), request.params.id);
    return reply.code(204).send();
  });

  app.post('/roles/:id/clone', {
    schema: {
      tags: ['roles'],
      summary: 'Copy a visible role as "<name> - Copy", enabled, owned by the caller\'s context',
      security: bearer,
      params: IdParams,
      body: NoBody,
      response: { 201: RoleView, ...errorResponses(400, 403, 404, 422) },
    },
  }, async (request, reply) => {
    const role = await cloneRole(serviceContext(request), request.params.id);
    return reply.code(201).send(roleView(role, 0));
  });

  const toggles = [
    { name: 'enable', enabled: true, summary: 'Enable a role: its holders regain access' },
    { name: 'disable', enabled: false, summary: 'Disable a role: its holders lose access at once; it cannot be assigned' },
  ] as const;
  for (const { name, enabled, summary } of toggles) {
    app.post(`/roles/:id/${name}`, {
      schema: {
        tags: ['roles'],
        summary,
        ...(enabled && { description: 'When the tenant requires a checker for level raises, enabling a role that has holders answers 202 {approvalId}.' }),
        security: bearer,
        params: IdParams,
        body: NoBody,
        response: { 200: RoleView, ...(enabled && { 202: ApprovalPending }), ...errorResponses(400, 403, 404, 409) },
      },
    }, async (request, reply) => {
      const ctx = serviceContext(request);
      const outcome = await setRoleEnabled(ctx, request.params.id, enabled);
      if ('pending' in outcome) return reply.code(202).send(pendingView(outcome.pending));
      return roleView(outcome.done, await activeUsersCount(ctx.em, ctx.actor, outcome.done));
    });
  }
};
