// Micro-benchmark of the decision log's drain (gateway/decision-log/): CPU per
// event to assemble OPA decision-log events from realistic records, join a
// batch and write it to /dev/null, as the stdout sink does. Records mimic the
// realistic mix (24 users, 1–29 merchants each, a role ACL of three modules).
// Usage: npx tsx bench/decision-log-drain.ts >/dev/null   (figures on stderr)
// SLICE=<n> changes the queue's slice (events drained per event-loop turn).
import { randomUUID } from 'node:crypto';
import { EventAssembler, type DecisionRecord } from '../gateway/decision-log/event.ts';
import { DecisionLog } from '../gateway/decision-log/queue.ts';
import { StdoutSink } from '../gateway/decision-log/sink-stdout.ts';
import type { DecisionResult } from '../core/policy/types.ts';
import type { MerchantRecordCached, RoleRecord, SessionRecord, UserRecord } from '../core/principal/records.ts';

const merchants: MerchantRecordCached[] = Array.from({ length: 30 }, () => ({ id: randomUUID(), tenantId: 't', resellerId: randomUUID() }));
const role: RoleRecord = { id: randomUUID(), tenantId: 't', enabled: true, acl: { orders: 'RW', payments: 'R', refunds: 'CHECKER' } };
const principals = Array.from({ length: 24 }, (_, i) => {
  const access = merchants.slice(0, 1 + (i % 29)).map((m) => m.id);
  const user: UserRecord = {
    id: randomUUID(), tenantId: 't', type: 'RESELLER', resellerId: randomUUID(), merchantId: null, roleId: role.id, status: 'ACTIVE',
    merchantsAccess: access, merchantResellers: Object.fromEntries(access.map((m) => [m, 'r'])), productIds: [], gatewayRefIds: [],
  };
  const session: SessionRecord = { id: randomUUID(), userId: user.id, active: true, expiresAt: Date.now() + 3_600_000 };
  const claims = { sub: user.id, tid: 't', sid: session.id, ctx_type: 'RESELLER' as const, ctx_id: user.resellerId!, jti: randomUUID(), exp: 0 };
  return { user, session, claims };
});
const result: DecisionResult = { allow: true, reasons: [], merchant_id: '', merchant_scope: '*', product_scope: '*', gateway_ref_scope: '*' };

function record(i: number): DecisionRecord {
  const p = principals[i % principals.length]!;
  return {
    decisionId: randomUUID(), now: Date.now(), revision: 'rev-1', method: 'GET', path: `/orders/${i % 4000}`,
    claims: p.claims, user: p.user, role, session: p.session, merchant: merchants[i % merchants.length]!,
    module: 'orders', action: 'read', merchantId: merchants[i % merchants.length]!.id, productId: '', gatewayRefId: '',
    productRequired: false, gatewayRefRequired: false, facts: '', result, handlerNs: 12_000,
  };
}

const counters = { queued: 0, written: 0, uploaded: 0, dropped: 0, uploadFailures: 0 };
// As the gateway writes them: process.stdout, a synchronous stream when it is a file (run with >/dev/null).
const log = new DecisionLog(new EventAssembler('bench'), new StdoutSink(process.stdout, counters as never), counters as never, { sample: 1, sliceSize: Number(process.env['SLICE'] ?? 128) });
const perRound = 200_000;
const baseline = (n: number) => {
  // The records alone (built on the request path in the gateway), to subtract.
  const start = process.cpuUsage();
  let keep = 0;
  for (let i = 0; i < n; i++) keep += record(i).handlerNs;
  const used = process.cpuUsage(start);
  return { us: used.user + used.system, keep };
};
{
  const a = new EventAssembler('bench');
  const sizes = Array.from({ length: 1000 }, (_, i) => a.event(record(i)).length);
  process.stderr.write(`eventBytes avg ${Math.round(sizes.reduce((x, y) => x + y, 0) / sizes.length)}\n`);
}
for (let round = 0; round < 6; round++) {
  const base = baseline(perRound);
  const start = process.cpuUsage();
  const step = Number(process.env['SLICE'] ?? 128);
  for (let i = 0; i < perRound; i += step) {
    for (let j = i; j < i + step; j++) log.record(record(j));
    await new Promise((r) => setImmediate(r));
  }
  await log.close(60_000);
  const used = process.cpuUsage(start);
  process.stderr.write(`round ${round + 1}: ${((used.user + used.system - base.us) / perRound).toFixed(2)} µs CPU per event (records alone ${(base.us / perRound).toFixed(2)} µs; written ${counters.written}, dropped ${counters.dropped})\n`);
}
