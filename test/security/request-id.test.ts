// Finding 12: the request id of an audit event is always the server's own.
// A client-chosen X-Request-Id is kept apart (clientRequestId), bounded, so
// a caller can neither forge nor collide with the ids that tie audit events
// to server logs.
import { beforeAll, describe, expect, it } from 'vitest';
import { auditOf } from '../support/audit.ts';
import { useControlPlane } from '../support/control-plane.ts';
import { newWorld, type World } from '../support/worlds/admin.ts';
import { expectStatus } from '../support/expect.ts';

const cp = useControlPlane();
let w: World;

beforeAll(async () => {
  w = await newWorld(cp);
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function eventFor(targetId: string) {
  return (await auditOf(cp, targetId)).at(-1)!;
}

async function createRole(headers: Record<string, string>) {
  const res = await w.admin.api.post('/v1/roles', { name: `r-${Math.random().toString(36).slice(2)}`, scope: 'TENANT', acl: { users: 'R' } }, headers);
  expectStatus(res, 201);
  return res.body.id as string;
}

describe('audit request ids', () => {
  it('a client X-Request-Id is not the audit event\'s request id; it is kept as clientRequestId', async () => {
    const forged = '11111111-2222-3333-4444-555555555555';
    const roleId = await createRole({ 'x-request-id': forged });
    const event = await eventFor(roleId);
    expect(event.request_id).toMatch(UUID);
    expect(event.request_id).not.toBe(forged);
    expect(event.client_request_id).toBe(forged);

    // Two requests naming the same id still get distinct server ids.
    const again = await eventFor(await createRole({ 'x-request-id': forged }));
    expect(again.request_id).not.toBe(event.request_id);

    const listed = await w.admin.api.get(`/v1/audit-events?targetId=${roleId}`);
    expectStatus(listed, 200);
    expect(listed.body.items[0]).toMatchObject({ requestId: event.request_id, clientRequestId: forged });
  });

  it('an unusable client id (too long, control characters) is dropped, never stored', async () => {
    const event = await eventFor(await createRole({ 'x-request-id': 'x'.repeat(500) }));
    expect(event.request_id).toMatch(UUID);
    expect(event.client_request_id).toBeNull();
    const none = await eventFor(await createRole({}));
    expect(none.request_id).toMatch(UUID);
    expect(none.client_request_id).toBeNull();
  });
});
