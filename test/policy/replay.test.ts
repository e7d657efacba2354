// The replay's comparison and skips (scripts/policy-replay/replay.ts) on
// events shaped as the gateway writes them, against the real compiled policy;
// and the bundle tarball reader (core/policy/bundle/tarball.ts) on the
// tarball `opa build` wrote. The CLI on a log a real gateway recorded:
// test/gateway/policy-input.test.ts.
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { PolicyEngine } from '../../core/policy/engine.ts';
import { readTarball } from '../../core/policy/bundle/tarball.ts';
import { formatReport, Replay } from '../../scripts/policy-replay/replay.ts';

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await PolicyEngine.load('build/policy');
});

const principal = {
  user_id: 'u1', tenant_id: 't', type: 'TENANT', reseller_id: '', merchant_id: '', status: 'ACTIVE', session_active: true,
  role: { id: 'r', enabled: true, acl: { orders: 'RW' } }, merchants_access: [], merchant_resellers: {}, product_ids: [], gateway_ref_ids: [],
};
const input = (action: string) => ({
  principal, context: { type: 'TENANT', id: 't' },
  request: { module: 'orders', action, merchant: null, merchant_id: '', product_id: '', gateway_ref_id: '', product_required: false, gateway_ref_required: false, maker_id: '' },
});
const allowed = { allow: true, reasons: [], merchant_id: '', merchant_scope: '*', product_scope: '*', gateway_ref_scope: '*' };
const event = (id: string, over: Record<string, unknown> = {}) => JSON.stringify({
  decision_id: id, timestamp: '2026-11-29T20:00:00.000Z', path: 'authz/decision', input: input('read'), result: allowed,
  bundles: { authz: { revision: 'old' } }, labels: { id: 'h:1' }, request: { method: 'GET', path: '/orders/1' }, ...over,
});

describe('replay', () => {
  it('counts unchanged and changed decisions, by old → new, with the first examples', () => {
    const truth = engine.decide(input('read') as never);
    expect(truth).toMatchObject({ allow: true });
    const r = new Replay(engine, 2);
    r.line(event('same', { result: truth }));
    r.line(event('was-denied', { result: { ...truth, allow: false, reasons: ['INSUFFICIENT_PERMISSION'] } }));
    r.line(event('other-scope', { result: { ...truth, product_scope: 'p1' } }));
    // A field the log erased is not compared.
    r.line(event('scope-erased', { result: { allow: true, reasons: [] }, erased: ['/result/product_scope'] }));
    // An upload batch: an array of events on one line.
    r.line(`[${event('batched-1', { result: truth })},${event('batched-2', { result: { ...truth, allow: false, reasons: ['SESSION_REVOKED'] } })}]`);
    expect(r.report).toMatchObject({
      replayed: 6, unchanged: 3, changed: 3,
      byChange: {
        'deny INSUFFICIENT_PERMISSION → allow': 1,
        'allow → allow (product_scope)': 1,
        'deny SESSION_REVOKED → allow': 1,
      },
    });
    expect(r.report.examples).toEqual([
      expect.objectContaining({ decisionId: 'was-denied', method: 'GET', path: '/orders/1', revision: 'old', old: 'deny INSUFFICIENT_PERMISSION', new: 'allow', fields: ['allow', 'reasons'] }),
      expect.objectContaining({ decisionId: 'other-scope', fields: ['product_scope'] }),
    ]);
    const text = formatReport(r.report, 'build/policy', 'log.ndjson');
    expect(text).toContain(`policy replay: 6 decisions of log.ndjson against revision ${engine.revision} (build/policy)`);
    expect(text).toMatch(/ {7}1 {2}deny INSUFFICIENT_PERMISSION → allow/);
    expect(text).toContain('first 2 of 3:');
    expect(text).toContain('was-denied  2026-11-29T20:00:00.000Z  GET /orders/1  (recorded with revision old)');
  });

  it('skips what it cannot replay faithfully, and says why', () => {
    const r = new Replay(engine);
    r.line('');
    r.line('not json');
    r.line('{"level":30,"msg":"a log line"}');
    r.line(event('admin', { path: 'authz/admin' }));
    r.line(event('masked', { erased: ['/input/principal/product_ids'] }));
    r.line(event('no-input', { input: undefined }));
    r.line(event('no-result', { result: undefined }));
    r.line(event('twice'));
    r.line(event('twice'));
    expect(r.report.replayed).toBe(1);
    expect(r.report.skipped).toEqual({
      'not JSON': 1, 'not a decision event': 1, 'another entry point': 1, 'input erased or missing': 2, 'no result': 1, 'decision id seen before': 1,
    });
  });

  it('replays an enforced decision once, not again through its shadow event', () => {
    // As the gateway logs a shadow disagreement: the enforced decision's input and result
    // under a fresh decision_id, the enforced one's id and the shadow's answer under `shadow`.
    const denied = { allow: false, reasons: ['INSUFFICIENT_PERMISSION'] };
    const r = new Replay(engine);
    r.line(event('enforced', { result: denied }));
    r.line(event('fresh-shadow-id', {
      result: denied,
      shadow: { decision_id: 'enforced', bundles: { authz: { revision: 'candidate' } }, result: allowed },
    }));
    expect(r.report).toMatchObject({ replayed: 1, changed: 1, skipped: { 'shadow evaluation (not enforced)': 1 } });
  });
});

describe('bundle tarball reader', () => {
  it('reads the tarball opa build wrote: the same files as the unpacked build', async () => {
    const files = readTarball(await readFile('build/policy/bundle.tar.gz'));
    for (const f of ['policy.wasm', 'data.json', '.manifest']) {
      expect(files.get(f)?.equals(await readFile(`build/policy/${f}`)), f).toBe(true);
    }
  });

  it('refuses what is not a bundle archive', () => {
    expect(() => readTarball(Buffer.from('not gzip'))).toThrow(/not a readable gzip archive/);
    const header = Buffer.alloc(512);
    header.write('../evil', 0);
    header.write('0000644\0', 100);
    header.write('00000000000\0', 124);
    header.write('0', 156);
    header.write('        ', 148);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    expect(() => readTarball(gzipSync(Buffer.concat([header, Buffer.alloc(1024)])))).toThrow(/"..\/evil" is not allowed/);
    expect(() => readTarball(gzipSync(Buffer.concat([header.subarray(0, 511), Buffer.from('x'), Buffer.alloc(1024)])))).toThrow(/checksum/);
    expect(() => readTarball(gzipSync(Buffer.alloc(10)), { maxCompressedBytes: 5, maxUnpackedBytes: 1e6, maxEntries: 10 })).toThrow(/limit/);
  });
});
