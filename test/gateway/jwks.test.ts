// Key rotation: the gateway follows the JWKS by `kid`. A token signed with a
// key published after boot is accepted (refetch on unknown kid), made-up kids
// do not turn into a stream of fetches, and a withdrawn key stops verifying
// (its cached verifications are dropped). A JWKS server the test controls
// stands in for the control plane's /.well-known/jwks.json.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPem, signingKeyFromPem, type PublicJwk } from '../../core/tokens/keys.ts';
import { TokenSigner } from '../../src/auth/token-signer.ts';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane.ts';
import { startGateway, type RunningGateway } from '../support/gateway.ts';
import { client } from '../support/http.ts';
import { startUpstream, type RunningUpstream } from '../support/upstream.ts';
import { closedPortUrl } from '../support/raw-http.ts';
import { gatewayWorld, type GatewayWorld } from '../support/worlds/gateway.ts';

let cp: RunningControlPlane;
let upstream: RunningUpstream;
let jwks: FastifyInstance;
let served: PublicJwk[];
let fetches = 0;
let gw: RunningGateway;
let world: GatewayWorld;

beforeAll(async () => {
  cp = await startControlPlane();
  upstream = await startUpstream();
  served = [cp.deps.signer.key.jwk];
  jwks = Fastify({ logger: false });
  jwks.get('/.well-known/jwks.json', async () => {
    fetches++;
    return { keys: served };
  });
  const jwksUrl = await jwks.listen({ host: '127.0.0.1', port: 0 });
  gw = await startGateway({
    routes: 'test/gateway/routes.yaml',
    upstreams: { 'http://upstream.test:1': upstream.url },
    env: { CONTROL_PLANE_URL: jwksUrl },
  });
  world = await gatewayWorld(cp.deps);
});

afterAll(async () => {
  await gw?.close();
  await jwks?.close();
  await upstream?.close();
  await cp?.close();
});

/** The same access claims (same user, same live session), signed with another key. */
function resign(token: string, signer: TokenSigner): string {
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
  return signer.signAccess({ userId: claims.sub, tenantId: claims.tid, sessionId: claims.sid, contextType: claims.ctx_type, contextId: claims.ctx_id });
}

describe('signing key rotation', () => {
  it('accepts a key published after boot, rate-limits refetches for unknown kids, and drops a withdrawn key', async () => {
    const u = await world.user({ acl: { orders: 'R' } });
    expect((await client(gw.url, u.token).get('/orders')).status).toBe(200);
    expect(fetches).toBe(1);

    // The control plane rotates: the new key is published next to the old one.
    const next = new TokenSigner(signingKeyFromPem(generateSigningKeyPem()), cp.deps.signer.settings);
    served = [cp.deps.signer.key.jwk, next.key.jwk];
    const rotated = resign(u.token, next);
    expect((await client(gw.url, rotated).get('/orders')).status).toBe(200);
    expect(fetches).toBe(2);

    // Made-up kids right after: refused without another fetch.
    const stranger = new TokenSigner(signingKeyFromPem(generateSigningKeyPem()), cp.deps.signer.settings);
    for (let i = 0; i < 3; i++) expect((await client(gw.url, resign(u.token, stranger)).get('/orders')).status).toBe(401);
    expect(fetches).toBe(2);

    // The old key is withdrawn; at the next scheduled refresh its tokens stop verifying, cached or not.
    served = [next.key.jwk];
    await gw.deps.keys.refresh();
    expect((await client(gw.url, u.token).get('/orders')).status).toBe(401);
    expect((await client(gw.url, rotated).get('/orders')).status).toBe(200);
  });

  it('starts without a reachable JWKS but is not ready until it has keys', async () => {
    const lonely = await startGateway({
      routes: 'test/gateway/routes.yaml',
      upstreams: { 'http://upstream.test:1': upstream.url },
      env: { CONTROL_PLANE_URL: await closedPortUrl() },
    });
    try {
      const ready = await client(lonely.url).get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'unavailable', keys: 0 });
      const u = await world.user({ acl: { orders: 'R' } });
      expect((await client(lonely.url, u.token).get('/orders')).status).toBe(401);
    } finally {
      await lonely.close();
    }
  });
});
