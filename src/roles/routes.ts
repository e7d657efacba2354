// /v1/roles (docs/domain.md#roles). Visibility: roles/scope.ts. Every ACL a request
// sets, and every role it changes, assigns or clones, grants no more than the
// caller holds (PRIVILEGE_ESCALATION).
import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { effectiveAcl, holdIfRaised, orHold, raisedModules } from '../approvals/level-raise.ts';
import { ApprovalPending, pendingView } from '../approvals/view.ts';
import { authenticate } from '../auth/authenticate.ts';
import { auditActor, authorize } from '../auth/authorize.ts';
import { recordAudit } from '../audit/record.ts';
import { conflict } from '../../core/http/errors.ts';
import { findPage, PageOf, PageQuery, type SortKey } from '../http/pagination.ts';
import { ContextTypeSchema, IdParams, NoBody, bearer, errorResponses } from '../http/schemas.ts';
import { escapeLike } from '../http/search.ts';
import { userScope } from '../users/scope.ts';
import { User } from '../users/user.entity.ts';
import { UserStatusSchema } from '../users/view.ts';
import { AclSchema, checkAcl, checkWithinActor } from './acl.ts';
import { changeRole } from './change.ts';
import { activeUsersCounts, holdingStatuses } from './holders.ts';
import { Role } from './role.entity.ts';
import { findRoleInScope, roleScope } from './scope.ts';
import { roleAudit, RoleView, roleView } from './view.ts';

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

const byName: SortKey<Role> = { field: 'name', direction: 'asc', kind: 'string' };
const MAX_LISTED_HOLDERS = 100;

async function countFor(request: FastifyRequest, role: Role): Promise<number> {
  return (await activeUsersCounts(request.em, [role.id], userScope(request.actor))).get(role.id) ?? 0;
}

/** "<name> - Copy", or "<name> - Copy 2", … when the context already owns that name. */
async function cloneName(em: EntityManager, owner: Pick<Role, 'tenantId' | 'ownerType' | 'ownerId'>, name: string): Promise<string> {
  const base = `${name} - Copy`;
  const taken = new Set(
    (await em.find(Role, { ...owner, name: { $like: `${escapeLike(base)}%` } }, { fields: ['name'] })).map((r) => r.name),
  );
  let candidate = base;
  for (let n = 2; taken.has(candidate); n++) candidate = `${base} ${n}`;
  return candidate;
}

/**
 * Two clones of one role into one context at the same moment pick the same
 * free "<name> - Copy" and one insert fails on the unique name: it takes the
 * next free name instead of answering 409 for a request that did nothing wrong.
 */
async function retryOnNameTaken<T>(attempt: () => Promise<T>, tries = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException) || i >= tries) throw err;
    }
  }
}

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
    authorize(request, 'roles.read');
    const { scope, enabled, q, cursor, limit } = request.query;
    const filters = {
      ...(scope ? { scope } : {}),
      ...(enabled !== undefined ? { enabled } : {}),
      ...(q ? { name: { $ilike: `${escapeLike(q)}%` } } : {}),
    };
    const { items, nextCursor } = await findPage(request.em, Role, [await roleScope(request, request.em), filters], byName, cursor, limit);
    const counts = await activeUsersCounts(request.em, items.map((r) => r.id), userScope(request.actor));
    return { items: items.map((r) => roleView(r, counts.get(r.id) ?? 0)), nextCursor };
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
    const { name, description, scope, acl, requireMfa } = request.body;
    authorize(request, `roles.create.${scope}`);
    checkAcl(request, acl);
    const { context, user } = request.actor;
    const role = await request.em.transactional(async (em) => {
      const role = em.create(Role, {
        id: randomUUID(),
        tenantId: user.tenantId,
        name,
        description: description ?? '',
        scope,
        ownerType: context.type,
        ownerId: context.id,
        acl,
        enabled: true,
        system: false,
        requireMfa: requireMfa ?? false,
      });
      em.persist(role);
      recordAudit(em, auditActor(request), { action: 'role.create', targetType: 'role', targetId: role.id, after: roleAudit(role) });
      return role;
    });
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
    authorize(request, 'roles.read');
    const role = await findRoleInScope(request, request.em, request.params.id);
    const holders = await request.em.find(
      User,
      { $and: [{ roleId: role.id }, userScope(request.actor)] },
      { fields: ['id', 'email', 'type', 'status'], orderBy: { email: 'asc' }, limit: MAX_LISTED_HOLDERS },
    );
    return {
      ...roleView(role, await countFor(request, role)),
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
    const { version, ...patch } = request.body;
    const { acl, name, description, requireMfa } = patch;
    const outcome = await orHold(request, () => changeRole(request, request.params.id, {
      operation: 'roles.write',
      action: 'role.update',
      apply: async (em, r) => {
        if (version !== undefined && version !== r.version) throw conflict('CONFLICT', 'the role was changed by someone else; reload and retry');
        if (acl) checkAcl(request, acl);
        else checkWithinActor(request, r.acl);
        if (acl) {
          // Decided on the row as locked by changeRole, not on an earlier read.
          await holdIfRaised(request, em, raisedModules(request, r.acl, acl), (raised) => ({
            merchantId: r.ownerType === 'MERCHANT' ? r.ownerId : null,
            request: { action: 'role.update', targetId: r.id, version: r.version, patch: { ...patch, acl }, raised },
          }));
          r.acl = acl;
        }
        if (name !== undefined) r.name = name;
        if (description !== undefined) r.description = description;
        if (requireMfa !== undefined) r.requireMfa = requireMfa;
      },
    }));
    if ('pending' in outcome) return reply.code(202).send(pendingView(outcome.pending));
    return roleView(outcome.done, await countFor(request, outcome.done));
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
    await changeRole(request, request.params.id, {
      operation: 'roles.write',
      action: 'role.delete',
      remove: true,
      apply: async (em, r) => {
        checkWithinActor(request, r.acl);
        const holders = await em.count(User, { roleId: r.id, status: { $in: holdingStatuses } });
        if (holders > 0) throw conflict('ROLE_HAS_ACTIVE_USERS', `${holders} user(s) hold this role; give them another role first`);
        if ((await em.count(User, { roleId: r.id })) > 0) {
          throw conflict('CONFLICT', 'soft-deleted users still hold this role; give them another role or hard delete them first');
        }
      },
    });
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
    authorize(request, 'roles.read');
    const source = await findRoleInScope(request, request.em, request.params.id);
    authorize(request, `roles.create.${source.scope}`);
    checkAcl(request, source.acl);
    const { context, user } = request.actor;
    const owner = { tenantId: user.tenantId, ownerType: context.type, ownerId: context.id };
    const role = await retryOnNameTaken(() => request.em.transactional(async (em) => {
      const role = em.create(Role, {
        ...owner,
        id: randomUUID(),
        name: await cloneName(em, owner, source.name),
        description: source.description,
        scope: source.scope,
        acl: source.acl,
        enabled: true,
        system: false,
        requireMfa: source.requireMfa,
      });
      em.persist(role);
      recordAudit(em, auditActor(request), {
        action: 'role.clone',
        targetType: 'role',
        targetId: role.id,
        after: { ...roleAudit(role), clonedFrom: source.id },
      });
      return role;
    }));
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
      const outcome = await orHold(request, () => changeRole(request, request.params.id, {
        operation: enabled ? 'roles.write' : 'roles.disable',
        action: `role.${name}`,
        apply: async (em, r) => {
          if (r.enabled === enabled) throw conflict('CONFLICT', `the role is already ${name}d`);
          checkWithinActor(request, r.acl);
          // Holders of a disabled role can do nothing; enabling gives them its ACL. Assignments
          // share-lock the role, so the holders counted here are the ones it will reach.
          if (enabled && (await em.count(User, { roleId: r.id, status: { $in: holdingStatuses } })) > 0) {
            await holdIfRaised(request, em, raisedModules(request, effectiveAcl(null), r.acl), (raised) => ({
              merchantId: r.ownerType === 'MERCHANT' ? r.ownerId : null,
              request: { action: 'role.enable', targetId: r.id, version: r.version, raised },
            }));
          }
          r.enabled = enabled;
        },
      }));
      if ('pending' in outcome) return reply.code(202).send(pendingView(outcome.pending));
      return roleView(outcome.done, await countFor(request, outcome.done));
    });
  }
};
