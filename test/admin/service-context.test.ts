// Control-plane services act without HTTP (docs/architecture.md#control-plane):
// given a ServiceContext — an actor resolved from a token, the clock pinned,
// the audit trail's ids — a service does what its route does, and the time and
// request id it was given are the ones its mutation records.
import { describe, expect, it } from 'vitest';
import type { ServiceContext } from '../../src/context/service-context.ts';
import { resolveActor } from '../../src/auth/authenticate.ts';
import { changeUser } from '../../src/users/change.ts';
import { transitions } from '../../src/users/lifecycle.ts';
import { useControlPlane } from '../support/control-plane.ts';
import { expectStatus } from '../support/expect.ts';
import { auditOf } from '../support/audit.ts';
import { newWorld } from '../support/worlds/admin.ts';

const cp = useControlPlane();

describe('a service without a request', () => {
  it('disables a user on the clock it is given, audited with the trail it carries', async () => {
    const w = await newWorld(cp);
    const role = await w.role(w.admin.api, { scope: 'TENANT', acl: { users: 'R' } });
    const target = await w.user(w.admin.api, { roleId: role });
    expectStatus(await target.api.get('/v1/users'), 200);

    const em = cp.deps.orm.em.fork();
    const pinned = new Date('2031-02-03T04:05:06.000Z');
    const ctx: ServiceContext = {
      em,
      actor: await resolveActor(em, cp.deps.signer.verifyAccess(w.admin.token)),
      deps: cp.deps,
      now: () => pinned,
      trail: { requestId: `svc-${target.id}`, clientRequestId: null },
      log: cp.app.log,
    };
    const user = await changeUser(ctx, target.id, transitions.disable.change);
    expect(user.status).toBe('DISABLED');

    const db = cp.deps.orm.em.getConnection();
    const sessions = await db.execute<{ revoked_at: Date | null; revoked_reason: string | null }[]>(
      'select revoked_at, revoked_reason from sessions where user_id = ?',
      [target.id],
    );
    expect(sessions.length).toBeGreaterThan(0);
    for (const s of sessions) {
      expect(new Date(s.revoked_at!).toISOString()).toBe(pinned.toISOString());
      expect(s.revoked_reason).toBe('user.disable');
    }
    const audit = (await auditOf(cp, target.id))
      .filter((e) => e.action === 'user.disable')
      .map(({ actor_id, request_id }) => ({ actor_id, request_id }));
    expect(audit).toEqual([{ actor_id: w.admin.id, request_id: `svc-${target.id}` }]);
    // The route's world sees the same change: the disabled user's token no longer works.
    expectStatus(await target.api.get('/v1/users'), 401, 'UNAUTHENTICATED');
  });
});
