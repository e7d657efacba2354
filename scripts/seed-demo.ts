// Seeds the demo tenant once (idempotent): tenant "demo" with an ACTIVE
// Tenant Admin whose password is printed by `npm start`. Development only.
import argon2 from 'argon2';
import { loadConfig } from '../src/config/env.ts';
import { closeControlPlaneDeps, createControlPlaneDeps } from '../src/app/create-deps.ts';
import { bootstrapTenant } from '../src/tenants/bootstrap.ts';
import { Tenant } from '../src/tenants/tenant.entity.ts';
import { User } from '../src/users/user.entity.ts';
import { Merchant } from '../src/merchants/merchant.entity.ts';

export const demo = { tenantId: 'demo', adminEmail: 'admin@demo.example', password: 'demo-password-change-me', merchantId: 'demo-shop' };

const deps = await createControlPlaneDeps(loadConfig());
try {
  const em = deps.orm.em.fork();
  if (!(await em.findOne(Tenant, demo.tenantId))) {
    // 2FA off so the README's walk-through logs in with a password alone (new tenants require it).
    const t = await bootstrapTenant(deps, { id: demo.tenantId, name: 'Demo Bank', adminEmail: demo.adminEmail, security: { mfaRequired: false } });
    const admin = await em.findOneOrFail(User, t.admin.id, { populate: ['passwordHash'] });
    admin.passwordHash = await argon2.hash(demo.password, { type: argon2.argon2id });
    admin.passwordChangedAt = new Date();
    admin.status = 'ACTIVE';
    em.persist(em.create(Merchant, { id: demo.merchantId, tenantId: demo.tenantId, name: 'Demo Shop', email: 'shop@demo.example', country: 'NL' }));
    await em.flush();
    console.log(`seeded demo tenant "${demo.tenantId}" with merchant "${demo.merchantId}"`);
  }
} finally {
  await closeControlPlaneDeps(deps);
}
