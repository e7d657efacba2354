import { describe, expect, it } from 'vitest';
import { useControlPlane } from '../support/control-plane.ts';
import { client } from '../support/http.ts';
import { loadConfig, requireSecrets } from '../../src/config/env.ts';
import { parseClusterNodes } from '../../core/infra/redis.ts';
import { activeTenant } from '../support/fixtures.ts';

const cp = useControlPlane();

describe('control plane foundation', () => {
  it('answers /healthz and /readyz over HTTP', async () => {
    const api = client(cp.url);
    expect((await api.get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await api.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', db: true, redis: true });
  });

  it('publishes its signing key as a JWKS', async () => {
    const { body } = await client(cp.url).get('/.well-known/jwks.json');
    expect(body.keys).toHaveLength(1);
    expect(body.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: cp.deps.signer.key.kid });
    expect(body.keys[0]).not.toHaveProperty('d');
  });

  it('answers unknown routes with the error shape', async () => {
    const res = await client(cp.url).get('/v1/nope');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'NOT_FOUND' });
  });

  it('serves OpenAPI at /docs', async () => {
    const res = await client(cp.url).get('/docs/json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
  });

  it('has run the committed migrations', async () => {
    const rows = await cp.deps.orm.em.getConnection().execute<{ name: string }[]>('select name from mikro_orm_migrations');
    expect(rows.map((r) => r.name)).toContain('Migration20261122000000_initial');
  });

  it('bootstraps a tenant with system roles and an invited admin whose token authenticates', async () => {
    const t = await activeTenant(cp.deps);
    expect(Object.values(t.roles).map((r) => r.name).sort()).toEqual(['Merchant Admin', 'Reseller Admin', 'Tenant Admin']);
    expect(t.roles.TENANT.acl).toMatchObject({ '*': 'RW', audit: 'R' });
    expect(t.invitation.link).toMatch(/^http:\/\/localhost:3000\/invitations\/accept\?token=[A-Za-z0-9_-]{43}$/);
    const { authenticate } = await import('../../src/auth/authenticate.ts');
    expect(typeof authenticate).toBe('function');
  });
});

describe('configuration', () => {
  it('names the bad variable', () => {
    expect(() => loadConfig({ REDIS_URL: 'http://nope' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ CONTROL_PLANE_PORT: 'eighty' })).toThrow(/CONTROL_PLANE_PORT/);
  });

  it('takes Redis Cluster seeds as host:port,host:port and refuses a key prefix that would move hash slots', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-2:7001' }).REDIS_CLUSTER_NODES).toBe('10.0.0.1:7000, redis-2:7001');
    expect(loadConfig({}).REDIS_CLUSTER_NODES).toBeUndefined();
    // IPv6 in brackets, as parseClusterNodes reads it.
    const v6 = '[::1]:7000, [fd00::2]:7001,redis-3:7002';
    expect(loadConfig({ REDIS_CLUSTER_NODES: v6 }).REDIS_CLUSTER_NODES).toBe(v6);
    expect(parseClusterNodes(v6)).toEqual([{ host: '::1', port: 7000 }, { host: 'fd00::2', port: 7001 }, { host: 'redis-3', port: 7002 }]);
    for (const bad of ['10.0.0.1', 'redis://10.0.0.1:7000', '10.0.0.1:7000,', 'a:1;b:2', '::1:7000', '[::1]', '[::1:7000', '[redis]:7000']) {
      expect(() => loadConfig({ REDIS_CLUSTER_NODES: bad }), bad).toThrow(/REDIS_CLUSTER_NODES/);
    }
    expect(() => loadConfig({ REDIS_KEY_PREFIX: '{iam}:' })).toThrow(/REDIS_KEY_PREFIX/);
  });

  it('names missing key material', () => {
    expect(() => requireSecrets(loadConfig({}))).toThrow(/JWT_PRIVATE_KEY, TOTP_ENCRYPTION_KEY/);
  });
});
