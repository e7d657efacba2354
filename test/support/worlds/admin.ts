// Builds actors for the administration tests over HTTP: resellers, merchants
// and users are created through the API as a client would; only the e-mail
// journey is skipped (an invited user is made ACTIVE directly, and handed a
// token in a context, as the authentication tests cover those steps).
import type { RunningControlPlane } from '../control-plane.ts';
import { activeTenant, tokenFor, uniqueId } from '../fixtures.ts';
import { expectStatus } from '../expect.ts';
import { client, type Reply } from '../http.ts';
import { rewrite } from '../seed.ts';
import { User } from '../../../src/users/user.entity.ts';
import type { ContextType } from '../../../src/roles/role.entity.ts';

export type Api = ReturnType<typeof client>;

export interface Actor {
  id: string;
  email: string;
  token: string;
  api: Api;
}

/** A tenant with its active Tenant Admin, and helpers acting through the API. */
export async function newWorld(cp: RunningControlPlane) {
  const t = await activeTenant(cp.deps);
  const admin: Actor = { id: t.admin.id, email: t.admin.email, token: t.token, api: client(cp.url, t.token) };
  const roles = { tenantAdmin: t.roles.TENANT.id, resellerAdmin: t.roles.RESELLER.id, merchantAdmin: t.roles.MERCHANT.id };

  /** An ACTIVE user's token in a context (its home context by default). */
  async function actorFor(userId: string, context?: { type: ContextType; id: string }): Promise<Actor> {
    await rewrite.user(cp.deps, userId, { status: 'ACTIVE' });
    const user = await cp.deps.orm.em.fork().findOneOrFail(User, userId);
    const token = await tokenFor(cp.deps, userId, context);
    return { id: userId, email: user.email, token, api: client(cp.url, token) };
  }

  async function reseller(by: Api = admin.api, extra: Record<string, unknown> = {}) {
    const id = uniqueId('r');
    const res = await by.post('/v1/resellers', { id, name: `Reseller ${id}`, email: `${id}@resellers.test`, type: 'ISO', ...extra });
    expectStatus(res, 201);
    return { id, adminUserId: res.body.admin.id as string, body: res.body };
  }

  async function merchant(by: Api = admin.api, extra: Record<string, unknown> = {}) {
    const id = uniqueId('m');
    const res = await by.post('/v1/merchants', { id, name: `Shop ${id}`, email: `${id}@shops.test`, country: 'NL', ...extra });
    expectStatus(res, 201);
    return { id, body: res.body };
  }

  async function invite(by: Api, body: Record<string, unknown>): Promise<Reply> {
    return by.post('/v1/users', { email: `${uniqueId('u')}@users.test`, ...body });
  }

  /** Invites through the API, then activates and logs in (home context unless given). */
  async function user(by: Api, body: Record<string, unknown>, context?: { type: ContextType; id: string }): Promise<Actor> {
    const res = await invite(by, body);
    expectStatus(res, 201);
    return actorFor(res.body.id, context);
  }

  async function role(by: Api, body: Record<string, unknown>): Promise<string> {
    const res = await by.post('/v1/roles', { name: uniqueId('role'), ...body });
    expectStatus(res, 201);
    return res.body.id as string;
  }

  /** Two resellers with a merchant under each, and the first reseller's admin signed in. */
  async function twoResellers() {
    const a = await reseller();
    const b = await reseller();
    const m1 = (await merchant(admin.api, { resellerId: a.id })).id;
    const m2 = (await merchant(admin.api, { resellerId: b.id })).id;
    return { a, b, r1: a.id, r2: b.id, m1, m2, resellerAdmin: await actorFor(a.adminUserId) };
  }

  return { tenant: t.tenant, admin, roles, actorFor, reseller, merchant, invite, user, role, twoResellers };
}

export type World = Awaited<ReturnType<typeof newWorld>>;
