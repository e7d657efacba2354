// The one path every change to an existing role takes: authorize, find it in
// scope (404), lock it, let the policy see it (system roles and roles defined
// higher up are read-only; nobody disables their own), apply, audit, commit,
// then announce it so every holder's permissions change at once everywhere.
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import { auditActor, authorize, authorizeWith } from '../auth/authorize.ts';
import { recordAudit } from '../audit/record.ts';
import type { Role } from './role.entity.ts';
import { findRoleInScope, roleFact } from './scope.ts';
import { roleAudit } from './view.ts';

export interface RoleChange {
  operation: 'roles.write' | 'roles.disable';
  action: string;
  apply: (em: EntityManager, role: Role) => Promise<void> | void;
  remove?: boolean;
}

export async function changeRole(request: FastifyRequest, id: string, change: RoleChange): Promise<Role> {
  authorize(request, change.operation);
  const role = await request.em.transactional(async (em) => {
    // Locked: an assignment (which share-locks the role) cannot slip past a disable or delete.
    const role = await findRoleInScope(request, em, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
    authorizeWith(request, change.operation, { role: await roleFact(em, role) });
    const before = roleAudit(role);
    await change.apply(em, role);
    if (change.remove) em.remove(role);
    recordAudit(em, auditActor(request), {
      action: change.action,
      targetType: 'role',
      targetId: role.id,
      before,
      after: change.remove ? null : roleAudit(role),
    });
    return role;
  });
  await request.server.deps.changes.publish([{ kind: 'role', id: role.id }]);
  return role;
}
