// Security defaults the console makes visible (docs/domain.md (roles, user lifecycle)): a new
// tenant requires 2FA, and only Tenant Admin holds user_hard_delete.
import { describe, expect, it } from 'vitest';
import { bootstrapTenant } from '../../src/tenants/bootstrap.ts';
import { newWorld } from '../support/worlds/admin.ts';
import { expectStatus } from '../support/expect.ts';
import { GOOD_PASSWORD, tokenFromMail } from '../support/auth.ts';
import { useControlPlane } from '../support/control-plane.ts';
import { uniqueId } from '../support/fixtures.ts';
import { client } from '../support/http.ts';

const cp = useControlPlane();

describe('a new tenant', () => {
  it('requires 2FA: its invited admin sets a password, then must enrol', async () => {
    const id = uniqueId('t');
    const t = await bootstrapTenant(cp.deps, { id, name: id, adminEmail: `admin@${id}.test` });
    expect(t.tenant.security.mfaRequired).toBe(true);
    const api = client(cp.url);
    const lookup = await api.get(`/v1/invitations/lookup?token=${await tokenFromMail(t.admin.email, '/invitations/accept')}`);
    expect(lookup.body.mfaRequired).toBe(true);
    const accepted = await api.post('/v1/invitations/accept', { token: await tokenFromMail(t.admin.email, '/invitations/accept'), password: GOOD_PASSWORD });
    expect(accepted.body).toEqual({ status: 'INVITED', mfaToken: expect.any(String) });
  });

  it('may turn 2FA off explicitly', async () => {
    const id = uniqueId('t');
    const t = await bootstrapTenant(cp.deps, { id, name: id, adminEmail: `admin@${id}.test`, security: { mfaRequired: false } });
    expect(t.tenant.security.mfaRequired).toBe(false);
  });
});

describe('hard delete', () => {
  it('only the Tenant Admin system role holds user_hard_delete', async () => {
    const w = await newWorld(cp);
    const roles = (await w.admin.api.get('/v1/roles?limit=100')).body.items as { name: string; acl: Record<string, string> }[];
    const holders = roles.filter((r) => (r.acl['user_hard_delete'] ?? r.acl['*']) === 'RW').map((r) => r.name);
    expect(holders).toEqual(['Tenant Admin']);
  });

  it('a Reseller Admin or Merchant Admin cannot hard delete (403 FORBIDDEN); a Tenant Admin can', async () => {
    const w = await newWorld(cp);
    const r = await w.reseller();
    const resellerAdmin = await w.actorFor(r.adminUserId);
    const m = await w.merchant(resellerAdmin.api);
    const merchantAdmin = await w.user(w.admin.api, { type: 'MERCHANT', merchantId: m.id, roleId: w.roles.merchantAdmin });
    const victim = await w.invite(resellerAdmin.api, { type: 'MERCHANT', merchantId: m.id, roleId: w.roles.merchantAdmin });
    expectStatus(victim, 201);
    expectStatus(await resellerAdmin.api.delete(`/v1/users/${victim.body.id}`), 403, 'FORBIDDEN');
    expectStatus(await merchantAdmin.api.delete(`/v1/users/${victim.body.id}`), 403, 'FORBIDDEN');
    expectStatus(await w.admin.api.delete(`/v1/users/${victim.body.id}`), 204);
  });
});
