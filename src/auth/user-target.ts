// The user an administrative security action targets: the caller needs
// `users.update` in its context and the target must be in its scope (404
// otherwise); then the policy decides on the target (authz/admin): never
// oneself (SELF_MODIFICATION: one's own email and security state change only
// through the self-service routes, with the current password), never a user
// whose role grants more than the caller's (PRIVILEGE_ESCALATION), only users
// the context manages, and a merchant user's merchant within the caller's
// access (MERCHANT_OUT_OF_SCOPE).
import type { ServiceContext } from '../context/service-context.ts';
import { findUserInScope } from '../users/scope.ts';
import { targetUserFact } from '../users/target-fact.ts';
import type { User } from '../users/user.entity.ts';
import { authorize, authorizeWith } from './authorize.ts';

export async function userToUpdate(ctx: ServiceContext, id: string): Promise<User> {
  authorize(ctx, 'users.update');
  const target = await findUserInScope(ctx, id);
  authorizeWith(ctx, 'users.update', { target: await targetUserFact(ctx.em, target) });
  return target;
}
