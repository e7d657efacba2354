// The `roleLevelRaise` checker control (finding 3). Every path that raises
// someone's effective level waits for a checker when the tenant requires it:
// editing a role, enabling a role that has holders, giving a user another
// role, and inviting a user with a role. "Raises" is the policy's `raised`
// (authz/role_check, approval.rego): some module on which the holder's new
// effective ACL grants an action (read, write, approve) the old one did not.
// A disabled role grants nothing, and neither does having no role yet.
// Creating or cloning a role raises nobody (it has no holders); assigning it
// is the raise and is held.
//
// The decision is taken inside the change's transaction, under the locks the
// change holds (finding "role-edit lock race"): a concurrent edit cannot make
// a raise look like none. A held change throws HeldForChecker, which rolls
// its transaction back; `orHold` then stores the approval instead.
import { inTransaction, type ServiceContext } from '../context/service-context.ts';
import type { Asker } from '../auth/authorize.ts';
import type { Acl, Role } from '../roles/role.entity.ts';
import type { Approval } from './approval.entity.ts';
import { approvalRequired, storeControlPlaneAction } from './control-plane-request.ts';
import type { StoredControlPlaneAction } from '../../core/approvals/stored-request.ts';

export interface HeldAction {
  merchantId: string | null;
  request: StoredControlPlaneAction;
}

export class HeldForChecker extends Error {
  constructor(readonly held: HeldAction) {
    super('held for a checker');
    this.name = 'HeldForChecker';
  }
}

/** What a role lets its holders do now: nothing while it is disabled (or when there is none). */
export function effectiveAcl(role: Pick<Role, 'enabled' | 'acl'> | null): Acl {
  return role?.enabled === true ? role.acl : {};
}

/** Modules on which `next` lets a holder do more than `previous`. */
export function raisedModules(ctx: Asker, previous: Acl, next: Acl): string[] {
  return ctx.deps.policy.roleCheck({ acl: next, actor_acl: ctx.actor.principal.role.acl, previous_acl: previous }).raised;
}

/**
 * Throws HeldForChecker when the change raises a level and the tenant
 * requires a checker for that. Call it under the locks of the rows the
 * decision reads, in the change's own transaction (`tx.em`).
 */
export async function holdIfRaised(tx: ServiceContext, raised: string[], held: (raised: string[]) => HeldAction): Promise<void> {
  if (raised.length === 0) return;
  if (!(await approvalRequired(tx, 'roleLevelRaise'))) return;
  throw new HeldForChecker(held(raised));
}

/** Runs a change; when it was held for a checker, stores the approval instead and answers it. */
export async function orHold<T>(ctx: ServiceContext, change: () => Promise<T>): Promise<{ done: T } | { pending: Approval }> {
  try {
    return { done: await change() };
  } catch (err) {
    if (!(err instanceof HeldForChecker)) throw err;
    const { held } = err;
    const pending = await ctx.em.fork().transactional((em) =>
      storeControlPlaneAction(inTransaction(ctx, em), { module: 'roles', merchantId: held.merchantId, request: held.request }),
    );
    return { pending };
  }
}
