// Finding 11c: emails and merchant/reseller ids are unique across the
// installation (login takes only an email; ids are global keys), so a value
// another tenant holds is refused — but the refusal says nothing about who
// holds it: another tenant's address or id gets exactly the answer one of the
// caller's own tenant gets, naming no user, object or tenant.
import { beforeAll, describe, expect, it } from 'vitest';
import { useControlPlane } from '../support/control-plane.ts';
import { uniqueId } from '../support/fixtures.ts';
import { newWorld, type World } from '../support/worlds/admin.ts';

const cp = useControlPlane();
let a: World;
let b: World;

beforeAll(async () => {
  a = await newWorld(cp);
  b = await newWorld(cp);
});

/** The parts of a refusal a caller reads: everything but nothing else. */
function refusal(res: { status: number; body: Record<string, unknown> }) {
  expect(res.status).toBe(409);
  expect(String(res.body['message'])).not.toMatch(/exist|taken|in use|user|tenant|merchant|reseller/i);
  return res.body;
}

describe('conflicts across tenants', () => {
  it('an invitation to another tenant\'s address is refused exactly like one to an own address', async () => {
    const own = (await a.invite(a.admin.api, { roleId: a.roles.tenantAdmin })).body.email as string;
    const theirs = (await b.invite(b.admin.api, { roleId: b.roles.tenantAdmin })).body.email as string;
    const toOwn = refusal(await a.admin.api.post('/v1/users', { email: own, roleId: a.roles.tenantAdmin }));
    const toTheirs = refusal(await a.admin.api.post('/v1/users', { email: theirs.toUpperCase(), roleId: a.roles.tenantAdmin }));
    expect(toTheirs).toEqual(toOwn);
  });

  it('merchant and reseller ids, and a reseller\'s admin address, likewise', async () => {
    const ownMerchant = (await a.merchant()).id;
    const theirMerchant = (await b.merchant()).id;
    const merchant = (id: string) => a.admin.api.post('/v1/merchants', { id, name: 'Shop', email: 'shop@shops.test', country: 'NL' });
    expect(refusal(await merchant(theirMerchant))).toEqual(refusal(await merchant(ownMerchant)));

    const ownReseller = (await a.reseller()).id;
    const theirReseller = await b.reseller();
    const reseller = (id: string, email: string) => a.admin.api.post('/v1/resellers', { id, name: 'R', email, type: 'ISO' });
    expect(refusal(await reseller(theirReseller.id, `${uniqueId('e')}@r.test`))).toEqual(refusal(await reseller(ownReseller, `${uniqueId('e')}@r.test`)));
    const theirAdminEmail = theirReseller.body.admin.email as string;
    const ownAdminEmail = (await a.admin.api.get(`/v1/users/${(await a.reseller()).adminUserId}`)).body.email as string;
    expect(refusal(await reseller(uniqueId('r'), theirAdminEmail))).toEqual(refusal(await reseller(uniqueId('r'), ownAdminEmail)));
  });

  it('an email change to another tenant\'s address is refused like one to an own address', async () => {
    const target = await a.user(a.admin.api, { roleId: a.roles.tenantAdmin });
    const own = await a.user(a.admin.api, { roleId: a.roles.tenantAdmin });
    const theirs = await b.user(b.admin.api, { roleId: b.roles.tenantAdmin });
    const change = (email: string) => a.admin.api.patch(`/v1/users/${target.id}/email`, { email });
    expect(refusal(await change(theirs.email))).toEqual(refusal(await change(own.email)));
  });
});
