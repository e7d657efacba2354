// The gateway's access-control matrix, generated from its route table:
// every route × every ACL level (NA, R, RW, CHECKER) × every method, and
// every principal kind × merchants inside and outside its access, run on two
// gateway instances at once. The expected answer comes from the table below
// (docs/domain.md#levels, docs/domain.md#maker-checker), the routes from the same file the gateways load; an
// allowed request reaches the upstream exactly once with the caller's
// identity, a refused one never.
//
// OWASP ASVS 4.0.3 V4.1.1, V4.1.3, V4.2.1, V13.1.3 (deny by default, per
// method); ASVS 5.0 V8.2.1–V8.2.3; OWASP API Security Top 10 2023 API1 (BOLA:
// another merchant's data), API5 (function level: a write with read access).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRouteTable, type GatewayRoute } from '../../core/routes/route-table.ts';
import type { Level } from '../../src/roles/role.entity.ts';
import { tokenFor, uniqueId } from '../support/fixtures.ts';
import { seedMerchant, seedReseller } from '../support/seed.ts';
import { GATEWAY_PAIR_ROUTES, useGatewayPair } from '../support/gateway-pair.ts';
import { gatewayWorld } from '../support/worlds/gateway.ts';
import { inBatches, send, type Answer } from '../support/worlds/security.ts';

const routes: GatewayRoute[] = parseRouteTable(readFileSync(GATEWAY_PAIR_ROUTES, 'utf8')).filter((r) => r.prefix !== '/dead');
const levels: Level[] = ['NA', 'R', 'RW', 'CHECKER'];
const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

const pair = useGatewayPair();


type Expect = [number, string?];

/** docs/domain.md#levels: reads need R, RW or CHECKER; writes need RW; an approval method holds the write (202). */
function expected(route: GatewayRoute, level: Level, method: string): Expect {
  const read = route.readMethods.has(method);
  const write = route.writeMethods.has(method);
  if (!read && !write) return [405, 'METHOD_NOT_ALLOWED'];
  if (read) return level === 'R' || level === 'RW' || level === 'CHECKER' ? [200] : [403, 'INSUFFICIENT_PERMISSION'];
  if (level !== 'RW') return [403, 'INSUFFICIENT_PERMISSION'];
  return route.approvalMethods.has(method) ? [202] : [200];
}

/** A request on `route` naming `merchant` where the route says a merchant is found. */
function requestOn(route: GatewayRoute, merchant: string, marker: string): { path: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  let path = route.prefix;
  let query = `case=${marker}`;
  const loc = route.merchant;
  if (loc?.from === 'header') headers[loc.name] = merchant;
  if (loc?.from === 'query') query += `&${loc.name}=${encodeURIComponent(merchant)}`;
  if (loc?.from === 'path') path += `/${merchant}`;
  return { path: `${path}/item?${query}`, headers };
}

describe('gateway routes × ACL levels × methods, on two instances', () => {
  interface Cell {
    route: GatewayRoute;
    level: Level;
    method: string;
    marker: string;
  }
  const cells: Cell[] = routes.flatMap((route) => levels.flatMap((level) => methods.map((method) => ({ route, level, method, marker: randomUUID() }))));
  const answers: { cell: Cell; want: Expect; got: Answer }[] = [];

  beforeAll(async () => {
    // One user per module and level: its role grants exactly that.
    const tokens = new Map<string, string>();
    for (const module of new Set(routes.map((r) => r.module))) {
      for (const level of levels) tokens.set(`${module}:${level}`, (await pair.world.user({ acl: { [module]: level } })).token);
    }
    let n = 0;
    answers.push(...(await inBatches(cells, 8, async (cell) => {
      const { path, headers } = requestOn(cell.route, pair.world.m.direct, cell.marker);
      const gw = pair.gateways[n++ % 2]!;
      const body = ['GET', 'HEAD', 'OPTIONS'].includes(cell.method) ? undefined : '{"amount":1}';
      const got = await send(gw.url, { method: cell.method, path, headers, token: tokens.get(`${cell.route.module}:${cell.level}`)!, ...(body !== undefined && { body }) });
      return { cell, want: expected(cell.route, cell.level, cell.method), got };
    })));
  }, 120_000);

  it(`answers every cell as the table says (${cells.length} cells)`, () => {
    const wrong = answers
      .filter(({ want, got }) => got.status !== want[0] || (want[1] !== undefined && got.body !== null && got.body?.code !== want[1]))
      .map(({ cell, want, got }) => `${cell.method} ${cell.route.prefix} with ${cell.route.module}:${cell.level}: want ${want.join(' ')}, got ${got.status} ${got.body?.code ?? ''}`);
    expect(wrong).toEqual([]);
  });

  it('forwards exactly the allowed requests, once each, with the identity headers', () => {
    const seen = new Map<string, number>();
    for (const r of pair.upstream.received) {
      const marker = /[?&]case=([0-9a-f-]{36})/.exec(r.url)?.[1];
      if (marker) seen.set(marker, (seen.get(marker) ?? 0) + 1);
    }
    const wrong: string[] = [];
    for (const { cell, got } of answers) {
      const forwarded = seen.get(cell.marker) ?? 0;
      const should = got.status === 200 ? 1 : 0;
      if (forwarded !== should) wrong.push(`${cell.method} ${cell.route.prefix} ${cell.level}: answered ${got.status}, forwarded ${forwarded}×`);
    }
    expect(wrong).toEqual([]);
    for (const { cell } of answers.filter(({ got }) => got.status === 200)) {
      const r = pair.upstream.received.find((x) => x.url.includes(cell.marker))!;
      expect(r.method).toBe(cell.method);
      expect(r.headers['x-auth-tenant-id']).toBe(pair.world.tenantId);
      // A route that locates a merchant names it; one that does not tells the scope.
      if (cell.route.merchant) expect(r.headers['x-auth-merchant-id']).toBe(pair.world.m.direct);
      else expect(r.headers['x-auth-merchant-scope']).toBe('*');
      expect(r.headers['authorization']).toBeUndefined();
    }
  });

  it('a held write names its approval and was not forwarded', () => {
    const held = answers.filter(({ got }) => got.status === 202);
    expect(held.length).toBeGreaterThan(0);
    for (const { got } of held) expect(got.body.approvalId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('principal kinds × merchants inside and outside their access', () => {
  const keys = ['own', 'sibling', 'otherReseller', 'direct', 'otherTenant', 'unknown'] as const;
  type Key = (typeof keys)[number];
  const kinds = ['tenantAll', 'tenantListed', 'tenantAsReseller', 'resellerAll', 'resellerListed', 'merchantUser'] as const;
  type Kind = (typeof kinds)[number];
  /** Merchants each kind may act on (docs/domain.md#merchant-access). */
  const access: Record<Kind, Key[]> = {
    tenantAll: ['own', 'sibling', 'otherReseller', 'direct'],
    tenantListed: ['own'],
    tenantAsReseller: ['own', 'sibling'],
    resellerAll: ['own', 'sibling'],
    resellerListed: ['own'],
    merchantUser: ['own'],
  };

  const merchants = {} as Record<Key, string>;
  const tokens = {} as Record<Kind, string>;

  beforeAll(async () => {
    const other = await gatewayWorld(pair.cp.deps);
    const em = pair.cp.deps.orm.em.fork();
    const r2 = seedReseller(em, { id: uniqueId('r2'), tenantId: pair.world.tenantId, name: 'Reseller Two' }).id;
    const sibling = seedMerchant(em, { id: uniqueId('m-sib'), tenantId: pair.world.tenantId, resellerId: pair.world.r1, name: 'Sibling' }).id;
    const elsewhere = seedMerchant(em, { id: uniqueId('m-r2'), tenantId: pair.world.tenantId, resellerId: r2, name: 'Elsewhere' }).id;
    await em.flush();
    Object.assign(merchants, { own: pair.world.m.underR1, sibling, otherReseller: elsewhere, direct: pair.world.m.direct, otherTenant: other.m.direct, unknown: uniqueId('m-none') });
    const acl = { orders: 'RW' as const };
    const own = merchants.own;
    tokens.tenantAll = (await pair.world.user({ acl })).token;
    tokens.tenantListed = (await pair.world.user({ acl, merchantsAccess: [own] })).token;
    const tenantUser = await pair.world.user({ acl });
    tokens.tenantAsReseller = await tokenFor(pair.cp.deps, tenantUser.id, { type: 'RESELLER', id: pair.world.r1 });
    tokens.resellerAll = (await pair.world.user({ type: 'RESELLER', acl })).token;
    tokens.resellerListed = (await pair.world.user({ type: 'RESELLER', acl, merchantsAccess: [own] })).token;
    tokens.merchantUser = (await pair.world.user({ type: 'MERCHANT', merchantId: own, acl })).token;
  });

  it('allows a merchant in access and denies every other, for reads and writes, on both gateways', async () => {
    const cells = kinds.flatMap((kind) => keys.flatMap((key) => ['GET', 'POST'].map((method) => ({ kind, key, method, marker: randomUUID() }))));
    const before = pair.upstream.received.length;
    const results = await inBatches(cells, 8, async (c) => {
      const gw = pair.gateways[cells.indexOf(c) % 2]!;
      const got = await send(gw.url, {
        method: c.method, path: `/orders/x?case=${c.marker}`, token: tokens[c.kind], headers: { 'x-merchant-id': merchants[c.key] },
        ...(c.method === 'POST' && { body: '{}' }),
      });
      const want: Expect = access[c.kind].includes(c.key) ? [200] : [403, 'MERCHANT_ACCESS_DENIED'];
      return { c, want, got };
    });
    const wrong = results
      .filter(({ want, got }) => got.status !== want[0] || (want[1] !== undefined && got.body?.code !== want[1]))
      .map(({ c, want, got }) => `${c.method} as ${c.kind} on ${c.key}: want ${want.join(' ')}, got ${got.status} ${got.body?.code ?? ''}`);
    expect(wrong).toEqual([]);
    const allowed = results.filter(({ got }) => got.status === 200);
    expect(pair.upstream.received.length - before).toBe(allowed.length);
    for (const { c } of allowed) {
      const seen = pair.upstream.received.find((r) => r.url.includes(c.marker))!;
      expect(seen.headers['x-auth-merchant-id']).toBe(merchants[c.key]);
    }
  });
});
