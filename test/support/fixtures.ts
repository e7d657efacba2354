// Fixtures that set up actors quickly. They use the product's own services
// (bootstrap, sessions, password hashing) but skip the e-mail journey, which
// the authentication tests cover end to end.
import { randomBytes, randomUUID } from 'node:crypto';
import type { ControlPlaneDeps } from '../../src/context/deps.ts';
import { openSession } from '../../src/auth/sessions.ts';
import { hashPassword } from '../../src/passwords/hashing.ts';
import { bootstrapTenant, type TenantBootstrap } from '../../src/tenants/bootstrap.ts';
import { User } from '../../src/users/user.entity.ts';
import type { ContextType } from '../../src/roles/role.entity.ts';

export const uniqueId = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

export async function newTenant(deps: ControlPlaneDeps, opts: { id?: string } = {}): Promise<TenantBootstrap> {
  const id = opts.id ?? uniqueId('t');
  // 2FA off: these fixtures log in with a password; the 2FA tests ask for it explicitly.
  return bootstrapTenant(deps, { id, name: `Tenant ${id}`, adminEmail: `admin@${id}.test`, security: { mfaRequired: false } });
}

/** Makes a user ACTIVE with a password, as if it had completed its invitation. */
export async function activate(deps: ControlPlaneDeps, userId: string, password = 'correct horse battery staple'): Promise<void> {
  const em = deps.orm.em.fork();
  const user = await em.findOneOrFail(User, userId, { populate: ['passwordHash'] });
  user.passwordHash = await hashPassword(password);
  user.passwordChangedAt = new Date();
  user.status = 'ACTIVE';
  await em.flush();
}

/** An access token for the user in a context (its home context by default). */
export async function tokenFor(
  deps: ControlPlaneDeps,
  userId: string,
  context?: { type: ContextType; id: string },
): Promise<string> {
  const em = deps.orm.em.fork();
  const user = await em.findOneOrFail(User, userId);
  const ctx = context ?? homeContext(user);
  const { tokens } = openSession(deps, em, user, ctx);
  await em.flush();
  return tokens.accessToken;
}

export function homeContext(user: Pick<User, 'type' | 'tenantId' | 'resellerId' | 'merchantId'>): { type: ContextType; id: string } {
  if (user.type === 'RESELLER') return { type: 'RESELLER', id: user.resellerId! };
  if (user.type === 'MERCHANT') return { type: 'MERCHANT', id: user.merchantId! };
  return { type: 'TENANT', id: user.tenantId };
}

/** A tenant whose admin is active, with a token in the tenant context. */
export async function activeTenant(deps: ControlPlaneDeps) {
  const t = await newTenant(deps);
  await activate(deps, t.admin.id);
  const token = await tokenFor(deps, t.admin.id);
  return { ...t, token };
}

export { randomUUID };
