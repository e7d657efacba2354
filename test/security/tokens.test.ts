// Token attacks, one table run against the control plane AND two gateway
// instances: every forged, confused, stale or misplaced credential answers
// 401 UNAUTHENTICATED with `WWW-Authenticate: Bearer`, and nothing reaches
// the upstream. A control token (the real one) passes on all three first.
//
// RFC 8725 (JWT BCP) §2.1/§3.1 (algorithm allow-list: no `none`, no HS/EdDSA
// confusion), §3.2 (every key checked), §3.8/§3.9 (iss, aud), §3.10 (received
// claims are untrusted input), §3.11 (explicit typing: `typ`); RFC 7515 §4.1.2–4.1.6
// (`jku`, `jwk`, `kid`, `x5u`, `x5c` are never followed); RFC 7519 §4.1.4/§4.1.5
// (exp, nbf); RFC 6750 §2.3/§3 (no token in the query; WWW-Authenticate).
// OWASP ASVS 4.0.3 V3.5.3 (signed tokens verified), V3.3.1 (a logged-out
// session's token is dead), V2.1/V13.1.3 (no credential in a URL); ASVS 5.0
// V9.1.1–V9.1.3, V9.2.1–V9.2.4; OWASP API Security Top 10 2023 API2
// (broken authentication).
import { createHash, createHmac, generateKeyPairSync, randomUUID, sign as edSign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicJwk } from '../../core/tokens/keys.ts';
import { openSession } from '../../src/auth/sessions.ts';
import { User } from '../../src/users/user.entity.ts';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane.ts';
import { startGateway, type RunningGateway } from '../support/gateway.ts';
import { startUpstream, type RunningUpstream } from '../support/upstream.ts';
import { gatewayWorld, type GatewayWorld } from '../support/worlds/gateway.ts';
import { send } from '../support/worlds/security.ts';

let cp: RunningControlPlane;
let upstream: RunningUpstream;
let gateways: RunningGateway[];
let world: GatewayWorld;
let attackerHost: Server;
let attackerUrl: string;
const attackerHits: string[] = [];

beforeAll(async () => {
  cp = await startControlPlane();
  upstream = await startUpstream();
  const env = { CONTROL_PLANE_URL: cp.url };
  gateways = await Promise.all([1, 2].map(() => startGateway({ upstreams: { 'http://127.0.0.1:4001': upstream.url }, env, deps: { jwksMinRefetchMs: 60_000 } })));
  world = await gatewayWorld(cp.deps);
  // Where a `jku` or `x5u` header points: it serves the attacker's key, and counts who asks.
  attackerHost = createServer((req, res) => {
    attackerHits.push(req.url ?? '');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [attacker.jwk] }));
  });
  await new Promise<void>((r) => attackerHost.listen(0, '127.0.0.1', r));
  attackerUrl = `http://127.0.0.1:${(attackerHost.address() as { port: number }).port}`;
});

afterAll(async () => {
  await Promise.all((gateways ?? []).map((g) => g.close()));
  await upstream?.close();
  await cp?.close();
  attackerHost?.close();
});

// ---- Forging ---------------------------------------------------------------

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, jwk: publicJwk(publicKey) };
}
const attacker = keyPair();

function signEd(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${edSign(null, Buffer.from(input), key).toString('base64url')}`;
}

function signHs(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string | Buffer, hash = 'sha256'): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

const decode = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

interface Case {
  name: string;
  /** The gateways' answer when it is not 401: a well-signed token of an ended session gets the policy's reason (docs/http.md#gateway-answers). */
  atGateway?: [number, string];
  /** What the attacker sends: a token, or headers/a query of its own. */
  make: () => Promise<{ token?: string; authorization?: string; query?: string }> | { token?: string; authorization?: string; query?: string };
}

/** A live user with a real session, and the pieces to forge its tokens. */
async function victim() {
  const u = await world.user({ acl: { orders: 'RW' } });
  const claims = decode(u.token);
  const real = cp.deps.signer.key;
  const header = { alg: 'EdDSA', typ: 'JWT', kid: real.kid };
  const now = Math.floor(Date.now() / 1000);
  const forge = (over: Record<string, unknown>, h: Record<string, unknown> = header, key: KeyObject = real.privateKey) =>
    signEd(h, { ...claims, ...over }, key);
  return { ...u, claims, header, now, forge, real };
}

type Victim = Awaited<ReturnType<typeof victim>>;

function cases(v: Victim): Case[] {
  const { header, now, forge, real } = v;
  const omit = (k: string) => Object.fromEntries(Object.entries(v.claims).filter(([key]) => key !== k));
  const [h, p, s] = v.token.split('.') as [string, string, string];
  return [
    // Credentials that are not a bearer token at all.
    { name: 'no Authorization header', make: () => ({}) },
    { name: 'Basic credentials instead of a bearer token', make: () => ({ authorization: 'Basic dXNlcjpwYXNz' }) },
    { name: '"Bearer" with nothing after it', make: () => ({ authorization: 'Bearer ' }) },
    { name: 'garbage in JWT shape', make: () => ({ token: 'not.a.token' }) },
    { name: 'two tokens in one header', make: () => ({ authorization: `Bearer ${v.token}, Bearer ${v.token}` }) },
    { name: 'token in the query string, not the header (RFC 6750 §2.3)', make: () => ({ query: `access_token=${v.token}` }) },
    { name: 'an 8 KB token', make: () => ({ token: `${h}.${b64('x'.repeat(6000))}.${s}` }) },
    // Algorithm confusion (RFC 8725 §2.1, §3.1).
    { name: 'alg none, empty signature', make: () => ({ token: `${b64({ ...header, alg: 'none' })}.${p}.` }) },
    { name: 'alg None (case variant)', make: () => ({ token: `${b64({ ...header, alg: 'None' })}.${p}.` }) },
    { name: 'alg none keeping the real signature', make: () => ({ token: `${b64({ ...header, alg: 'none' })}.${p}.${s}` }) },
    { name: 'alg missing from the header', make: () => ({ token: `${b64({ typ: 'JWT', kid: real.kid })}.${p}.${s}` }) },
    { name: 'HS256 signed with the public key PEM as the secret', make: () => ({ token: signHs({ ...header, alg: 'HS256' }, v.claims, real.publicPem) }) },
    { name: 'HS256 signed with the public JWK "x" as the secret', make: () => ({ token: signHs({ ...header, alg: 'HS256' }, v.claims, real.jwk.x) }) },
    { name: 'HS512 signed with the public key DER', make: () => ({ token: signHs({ ...header, alg: 'HS512' }, v.claims, real.publicKey.export({ format: 'der', type: 'spki' }), 'sha512') }) },
    { name: 'alg relabelled ES256 over the real EdDSA signature', make: () => ({ token: `${b64({ ...header, alg: 'ES256' })}.${p}.${s}` }) },
    // Keys (RFC 8725 §3.2; RFC 7515 §4.1.2–4.1.6).
    { name: 'signed by an unknown key with an unknown kid', make: () => ({ token: forge({}, { ...header, kid: attacker.jwk.kid }, attacker.privateKey) }) },
    { name: 'signed by an unknown key under the real kid', make: () => ({ token: forge({}, header, attacker.privateKey) }) },
    { name: 'real key, but a kid the JWKS does not publish', make: () => ({ token: forge({}, { ...header, kid: 'rotated-away' }) }) },
    { name: 'real key, no kid at all', make: () => ({ token: forge({}, { alg: 'EdDSA', typ: 'JWT' }) }) },
    { name: 'kid path traversal to /dev/null, HS256 with an empty key', make: () => ({ token: signHs({ alg: 'HS256', typ: 'JWT', kid: '../../../../../../dev/null' }, v.claims, Buffer.alloc(0)) }) },
    { name: 'kid path traversal, EdDSA by an unknown key', make: () => ({ token: forge({}, { ...header, kid: '../../../../etc/passwd' }, attacker.privateKey) }) },
    { name: 'kid SQL injection, HS256 with the injected secret', make: () => ({ token: signHs({ alg: 'HS256', typ: 'JWT', kid: "x' UNION SELECT 'secret' --" }, v.claims, 'secret') }) },
    { name: 'kid a number', make: () => ({ token: forge({}, { ...header, kid: 1 }) }) },
    { name: 'kid an object', make: () => ({ token: forge({}, { ...header, kid: { $ne: '' } }) }) },
    { name: 'kid of 1000 characters', make: () => ({ token: forge({}, { ...header, kid: 'k'.repeat(1000) }, attacker.privateKey) }) },
    { name: 'embedded jwk of the attacker, signed by it', make: () => ({ token: forge({}, { alg: 'EdDSA', typ: 'JWT', kid: attacker.jwk.kid, jwk: attacker.jwk }, attacker.privateKey) }) },
    { name: 'embedded jwk of the attacker under the real kid', make: () => ({ token: forge({}, { ...header, jwk: attacker.jwk }, attacker.privateKey) }) },
    { name: 'jku pointing at the attacker\'s JWKS', make: () => ({ token: forge({}, { alg: 'EdDSA', typ: 'JWT', kid: attacker.jwk.kid, jku: `${attackerUrl}/jwks.json` }, attacker.privateKey) }) },
    { name: 'jku under the real kid', make: () => ({ token: forge({}, { ...header, jku: `${attackerUrl}/jwks-real-kid.json` }, attacker.privateKey) }) },
    { name: 'x5u pointing at the attacker', make: () => ({ token: forge({}, { alg: 'EdDSA', typ: 'JWT', kid: attacker.jwk.kid, x5u: `${attackerUrl}/cert.pem` }, attacker.privateKey) }) },
    { name: 'x5c with a made-up chain', make: () => ({ token: forge({}, { alg: 'EdDSA', typ: 'JWT', x5c: [b64('not a certificate')] }, attacker.privateKey) }) },
    // Time (RFC 7519 §4.1.4, §4.1.5; a 5 s clock tolerance).
    { name: 'expired ten minutes ago', make: () => ({ token: forge({ iat: now - 1500, exp: now - 600 }) }) },
    { name: 'expired just past the clock tolerance', make: () => ({ token: forge({ exp: now - 30 }) }) },
    { name: 'not valid before ten minutes from now', make: () => ({ token: forge({ nbf: now + 600 }) }) },
    { name: 'no exp claim', make: () => ({ token: signEd(header, omit('exp'), real.privateKey) }) },
    { name: 'exp a string', make: () => ({ token: forge({ exp: String(now + 600) }) }) },
    // Audience, issuer, type (RFC 8725 §3.8, §3.9, §3.11).
    { name: 'wrong iss', make: () => ({ token: forge({ iss: 'https://evil.test' }) }) },
    { name: 'no iss', make: () => ({ token: signEd(header, omit('iss'), real.privateKey) }) },
    { name: 'wrong aud', make: () => ({ token: forge({ aud: 'another-service' }) }) },
    { name: 'no aud', make: () => ({ token: signEd(header, omit('aud'), real.privateKey) }) },
    { name: 'typ refresh', make: () => ({ token: forge({ typ: 'refresh' }) }) },
    { name: 'typ mfa on access claims', make: () => ({ token: forge({ typ: 'mfa' }) }) },
    { name: 'no typ', make: () => ({ token: signEd(header, omit('typ'), real.privateKey) }) },
    { name: 'an MFA token of the login step', make: () => ({ token: cp.deps.signer.signMfa({ userId: v.id, tenantId: world.tenantId, purpose: 'login' }) }) },
    { name: 'an MFA token of the enrolment step', make: () => ({ token: cp.deps.signer.signMfa({ userId: v.id, tenantId: world.tenantId, purpose: 'setup' }) }) },
    { name: 'a password-renewal token', make: () => ({ token: cp.deps.signer.signMfa({ userId: v.id, tenantId: world.tenantId, purpose: 'password' }) }) },
    {
      name: 'a real refresh token used as the bearer token',
      make: async () => {
        const em = cp.deps.orm.em.fork();
        const user = await em.findOneOrFail(User, v.id);
        const { tokens } = openSession(cp.deps, em, user, { type: 'TENANT', id: world.tenantId });
        await em.flush();
        return { token: tokens.refreshToken };
      },
    },
    // Tampering.
    { name: 'payload tampered: sub of another user', make: () => ({ token: `${h}.${b64({ ...v.claims, sub: randomUUID() })}.${s}` }) },
    { name: 'payload tampered: exp pushed a day ahead', make: () => ({ token: `${h}.${b64({ ...v.claims, exp: now + 86_400 })}.${s}` }) },
    { name: 'payload tampered: context of another tenant', make: () => ({ token: `${h}.${b64({ ...v.claims, tid: 'other', ctx_id: 'other' })}.${s}` }) },
    { name: 'header tampered: kid swapped', make: () => ({ token: `${b64({ ...header, kid: attacker.jwk.kid })}.${p}.${s}` }) },
    { name: 'signature truncated', make: () => ({ token: `${h}.${p}.${s.slice(0, -4)}` }) },
    { name: 'signature of another token', make: async () => ({ token: `${h}.${p}.${(await world.user()).token.split('.')[2]}` }) },
    // Well signed, but the claims name nothing real (RFC 8725 §3.10: claims are input).
    { name: 'well signed, tid not the user\'s tenant', make: () => ({ token: forge({ tid: 'another-tenant' }) }) },
    { name: 'well signed, sub not a UUID', make: () => ({ token: forge({ sub: "1' or '1'='1" }) }) },
    { name: 'well signed, sid not a UUID', make: () => ({ token: forge({ sid: 'not-a-session' }) }) },
    { name: 'well signed, no sid claim', make: () => ({ token: signEd(header, omit('sid'), real.privateKey) }) },
    { name: 'well signed, sid of no session', atGateway: [403, 'SESSION_REVOKED'], make: () => ({ token: forge({ sid: randomUUID() }) }) },
    { name: 'well signed, sub a number', make: () => ({ token: forge({ sub: 42 }) }) },
    { name: 'well signed, ctx_type ROOT', make: () => ({ token: forge({ ctx_type: 'ROOT' }) }) },
    { name: 'well signed, ctx_id missing', make: () => ({ token: signEd(header, omit('ctx_id'), real.privateKey) }) },
  ];
}

const cpGet = (q: string, headers: Record<string, string>) => send(cp.url, { method: 'GET', path: `/v1/me${q}`, headers });
const gwGet = (g: RunningGateway, q: string, headers: Record<string, string>) => send(g.url, { method: 'GET', path: `/orders${q}`, headers });

describe('token attacks answer 401 on the control plane and on both gateways', () => {
  let v: Victim;
  let table: Case[];
  beforeAll(async () => {
    v = await victim();
    table = cases(v);
  });

  it('the real token passes everywhere (the control case)', async () => {
    const auth = { authorization: `Bearer ${v.token}` };
    expect((await cpGet('', auth)).status).toBe(200);
    for (const g of gateways) expect((await gwGet(g, '', auth)).status).toBe(200);
  });

  it('the scheme is case-insensitive (RFC 7235 §2.1) on all three', async () => {
    for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
      const auth = { authorization: `${scheme} ${v.token}` };
      expect((await cpGet('', auth)).status, `${scheme} @ control plane`).toBe(200);
      for (const g of gateways) expect((await gwGet(g, '', auth)).status, `${scheme} @ gateway`).toBe(200);
    }
  });

  it('every forged, confused or misplaced credential is refused', async () => {
    const before = upstream.received.length;
    const wrong: string[] = [];
    for (const c of table) {
      const made = await c.make();
      const headers: Record<string, string> = {};
      if (made.authorization !== undefined) headers['authorization'] = made.authorization;
      else if (made.token !== undefined) headers['authorization'] = `Bearer ${made.token}`;
      const q = made.query ? `?${made.query}` : '';
      const answers = await Promise.all([cpGet(q, headers), ...gateways.map((g) => gwGet(g, q, headers))]);
      answers.forEach((a, i) => {
        const where = i === 0 ? 'control plane' : `gateway ${i}`;
        const [status, code] = i > 0 && c.atGateway ? c.atGateway : [401, 'UNAUTHENTICATED'];
        const challenge = status === 401 ? 'Bearer' : null;
        if (a.status !== status || a.body?.code !== code || a.headers.get('www-authenticate') !== challenge) {
          wrong.push(`${c.name} @ ${where}: ${a.status} ${a.body?.code ?? ''} www-authenticate=${a.headers.get('www-authenticate')}`);
        }
      });
    }
    expect(wrong).toEqual([]);
    expect(upstream.received.length).toBe(before);
    // No verifier followed a jku or x5u.
    expect(attackerHits).toEqual([]);
  });

  it('a token dies with its session: logout, then 401 everywhere', async () => {
    const u = await world.user({ acl: { orders: 'RW' } });
    const auth = { authorization: `Bearer ${u.token}` };
    for (const g of gateways) expect((await gwGet(g, '', auth)).status).toBe(200);
    const revoked = Promise.all(gateways.map((g) => g.applied('session', decode(u.token)['sid'] as string)));
    expect((await send(cp.url, { method: 'POST', path: '/v1/auth/logout', headers: auth })).status).toBe(204);
    await revoked;
    expect((await cpGet('', auth)).status).toBe(401);
    for (const g of gateways) {
      const res = await gwGet(g, '', auth);
      // The gateway answers a live token of an ended session with the policy's reason.
      expect([401, 403]).toContain(res.status);
      if (res.status === 403) expect(res.body.code).toBe('SESSION_REVOKED');
    }
  });

  it('a token of a hard-deleted user is no credential at all', async () => {
    const u = await world.user({ acl: { orders: 'RW' } });
    const auth = { authorization: `Bearer ${u.token}` };
    for (const g of gateways) expect((await gwGet(g, '', auth)).status).toBe(200);
    const deleted = Promise.all(gateways.map((g) => g.applied('user', u.id)));
    const admin = await world.user({ roleId: world.tenant.roles.TENANT.id });
    const res = await send(cp.url, { method: 'DELETE', path: `/v1/users/${u.id}`, token: admin.token });
    expect(res.status, JSON.stringify(res.body)).toBe(204);
    await deleted;
    for (const a of [await cpGet('', auth), ...(await Promise.all(gateways.map((g) => gwGet(g, '', auth))))]) {
      expect({ status: a.status, code: a.body?.code }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    }
  });
});

describe('the JWKS the gateways trust', () => {
  it('publishes only the Ed25519 public key: no private part, no symmetric key', async () => {
    const res = await send(cp.url, { method: 'GET', path: '/.well-known/jwks.json' });
    expect(res.status).toBe(200);
    for (const k of res.body.keys as Record<string, unknown>[]) {
      expect(k).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
      expect(Object.keys(k).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x']);
      // kid is the RFC 7638 thumbprint, so a key cannot be published under another key's name.
      expect(k['kid']).toBe(createHash('sha256').update(JSON.stringify({ crv: k['crv'], kty: k['kty'], x: k['x'] })).digest('base64url'));
    }
  });
});
