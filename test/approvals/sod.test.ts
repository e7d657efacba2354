// Static separation of duties: a role holding both sides of a pair in the
// Rego data is refused on create, edit and clone (422 SOD_VIOLATION naming
// each pair). The pairs are data of the compiled bundle: a control plane
// loading a bundle with other pairs refuses other roles, with no TypeScript
// changed.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Acl } from '../../src/roles/role.entity.ts';
import { newWorld, type World } from '../support/worlds/admin.ts';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane.ts';
import { buildBundle, policySources } from '../support/policy-bundle.ts';
import { expectStatus } from '../support/expect.ts';
import { uniqueId } from '../support/fixtures.ts';
import { seedRole } from '../support/seed.ts';

let cp: RunningControlPlane;
let w: World;
let work: string;

beforeAll(async () => {
  cp = await startControlPlane();
  w = await newWorld(cp);
  work = await mkdtemp(join(tmpdir(), 'iam-sod-'));
});
afterAll(async () => {
  await cp.close();
  await rm(work, { recursive: true, force: true });
});

const both = { refunds: 'RW', refund_approvals: 'CHECKER', payouts: 'RW', payout_approvals: 'CHECKER' };

/** A role written straight to the table, as one made before a pair existed would be. */
async function legacyRole(tenantId: string, acl: Acl): Promise<string> {
  const em = cp.deps.orm.em.fork();
  const role = seedRole(em, { tenantId, name: uniqueId('legacy'), acl });
  await em.flush();
  return role.id;
}

describe('separation-of-duties pairs', () => {
  it('refuse create, edit and clone of a role holding both sides, naming each pair', async () => {
    const created = await w.admin.api.post('/v1/roles', { name: 'both', scope: 'TENANT', acl: both });
    expectStatus(created, 422, 'SOD_VIOLATION');
    expect(created.body.pairs).toEqual(['payout-maker-checker', 'refund-maker-checker']);

    const maker = await w.role(w.admin.api, { scope: 'TENANT', acl: { refunds: 'RW' } });
    const edited = await w.admin.api.patch(`/v1/roles/${maker}`, { acl: { refunds: 'RW', refund_approvals: 'CHECKER' } });
    expectStatus(edited, 422, 'SOD_VIOLATION');
    expect(edited.body.pairs).toEqual(['refund-maker-checker']);
    expect((await w.admin.api.get(`/v1/roles/${maker}`)).body.acl).toEqual({ refunds: 'RW' });

    const legacy = await legacyRole(w.tenant.id, { users: 'RW', audit: 'R', refunds: 'RW', refund_approvals: 'CHECKER' });
    const cloned = await w.admin.api.post(`/v1/roles/${legacy}/clone`);
    expectStatus(cloned, 422, 'SOD_VIOLATION');
    expect(cloned.body.pairs).toEqual(['refund-maker-checker']);

    // One side alone is fine, and so is a maker of one pair with the checker of another.
    expectStatus(await w.admin.api.post('/v1/roles', { name: 'refund-checker', scope: 'TENANT', acl: { refund_approvals: 'CHECKER', payouts: 'RW' } }), 201);
  });

  it('come from the Rego data: another bundle refuses other roles, without TypeScript changes', async () => {
    const src = await policySources();
    const dataFile = join(src, 'authz_config', 'data.json');
    const data = JSON.parse(await readFile(dataFile, 'utf8'));
    data.sod_pairs = [{ name: 'orders-vs-settings', a: { module: 'orders', level: 'RW' }, b: { module: 'settings', level: 'R' } }];
    await writeFile(dataFile, JSON.stringify(data));
    const bundle = join(work, 'policy');
    await buildBundle(src, bundle, 'sod-pairs-test');
    await rm(src, { recursive: true, force: true });

    const other = await startControlPlane({ POLICY_DIR: bundle });
    try {
      expect(other.deps.policy.revision).toBe('sod-pairs-test');
      const ow = await newWorld(other);
      const ordersAndSettings = { orders: 'RW', settings: 'RW' };
      const refundsBoth = { refunds: 'RW', refund_approvals: 'CHECKER' };

      // The default bundle: refunds pair refused, orders + settings fine.
      expectStatus(await w.admin.api.post('/v1/roles', { name: 'a', scope: 'TENANT', acl: refundsBoth }), 422, 'SOD_VIOLATION');
      expectStatus(await w.admin.api.post('/v1/roles', { name: 'b', scope: 'TENANT', acl: ordersAndSettings }), 201);

      // The other bundle: the opposite.
      const refused = await ow.admin.api.post('/v1/roles', { name: 'a', scope: 'TENANT', acl: ordersAndSettings });
      expectStatus(refused, 422, 'SOD_VIOLATION');
      expect(refused.body.pairs).toEqual(['orders-vs-settings']);
      const maker = await ow.role(ow.admin.api, { scope: 'TENANT', acl: { orders: 'RW' } });
      expectStatus(await ow.admin.api.patch(`/v1/roles/${maker}`, { acl: { orders: 'RW', settings: 'R' } }), 422, 'SOD_VIOLATION');
      expectStatus(await ow.admin.api.post('/v1/roles', { name: 'b', scope: 'TENANT', acl: refundsBoth }), 201);
    } finally {
      await other.close();
    }
  });
});
