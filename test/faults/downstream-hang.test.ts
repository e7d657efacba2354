// A downstream service that accepts connections and never answers (API4:2023
// unrestricted resource consumption; ASVS 4.0.3 V7.4 / 5.0 V16.5 error
// handling: keep working when a dependency fails). More requests than the gateway's connection pool holds
// (128 per upstream) all answer 504 UPSTREAM_TIMEOUT within the timeout (two
// timeouts for those queued behind the pool), the gateway's own endpoints
// stay responsive, it never opens more than its pool to the hanging service,
// every connection is released, and the same upstream is served again as
// soon as it answers.
import { createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultStack, type FaultStack } from '../support/faults/stack.ts';
import { summarize, writeScenario } from '../support/faults/summary.ts';
import { Ledger, sample } from '../support/faults/oracle.ts';
import { gatewayCall, type Subject } from '../support/faults/traffic.ts';

const TIMEOUT_MS = 500;
const POOL = 128;

/** A raw HTTP/1.1 upstream that either answers every request or holds it forever. */
async function startHangingUpstream() {
  const open = new Set<Socket>();
  let maxOpen = 0;
  const watchers: { test: () => boolean; resolve: () => void }[] = [];
  const notify = () => {
    for (const w of [...watchers]) {
      if (w.test()) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  const state = { hanging: true };
  const server = createServer((sock) => {
    open.add(sock);
    maxOpen = Math.max(maxOpen, open.size);
    notify();
    sock.on('close', () => {
      open.delete(sock);
      notify();
    });
    sock.on('error', () => sock.destroy());
    let buffered = '';
    sock.on('data', (d: Buffer) => {
      if (state.hanging) return;
      buffered += d.toString('latin1');
      while (buffered.includes('\r\n\r\n')) {
        buffered = buffered.slice(buffered.indexOf('\r\n\r\n') + 4);
        const body = '{"upstream":"echo"}';
        sock.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: keep-alive\r\n\r\n${body}`);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    get open() {
      return open.size;
    },
    get maxOpen() {
      return maxOpen;
    },
    /** Resolves once `test` holds (checked on every connection change). */
    when: (test: () => boolean) => (test() ? Promise.resolve() : new Promise<void>((resolve) => watchers.push({ test, resolve }))),
    close: async () => {
      for (const sock of open) sock.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

let s: FaultStack;
let hang: Awaited<ReturnType<typeof startHangingUpstream>>;

beforeAll(async () => {
  hang = await startHangingUpstream();
  s = await faultStack({
    gateway: { upstreams: { 'http://upstream.test:1': hang.url }, env: { GATEWAY_UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS) } },
  });
});

afterAll(async () => {
  await s?.close();
  await hang?.close();
});

describe('a downstream service that hangs', () => {
  it('answers 504 within the timeout for more requests than the pool holds, stays responsive, releases every connection, and recovers', async () => {
    const ledger = new Ledger(s.commits);
    const subject: Subject = await s.subject();
    const gateway = { name: 'gateway', url: s.gw.url };
    const n = POOL + 72;
    const calls = Promise.all(Array.from({ length: n }, () => gatewayCall(ledger, gateway, subject, 'read', s.world.m.direct)));

    // Every pooled connection is held by the hanging service: the gateway itself still answers at once.
    await hang.when(() => hang.open >= POOL);
    const probeStart = performance.now();
    const health = await fetch(`${s.gw.url}/healthz`);
    const healthMs = performance.now() - probeStart;
    await calls;
    const hung = ledger.calls.slice();

    // The timed-out connections are closed, none is left open.
    await hang.when(() => hang.open === 0);
    hang.state.hanging = false;
    const after = await Promise.all(Array.from({ length: 50 }, () => gatewayCall(ledger, gateway, subject, 'read', s.world.m.direct)));

    const durations = hung.map((c) => c.endedAt - c.startedAt).sort((a, b) => a - b);
    const worstMs = durations.at(-1)!;
    const worstPooledMs = durations[POOL - 1]!;
    await writeScenario(
      summarize('downstream-hang', [`upstream accepts and never answers (${n} concurrent requests, pool ${POOL}, timeout ${TIMEOUT_MS} ms)`], ledger.judge(), 0, {
        worstTimeoutAnswerMs: Math.round(worstMs),
        worstOfFirst128Ms: Math.round(worstPooledMs),
        upstreamConnectionsMax: hang.maxOpen,
        healthzWhileHungMs: Math.round(healthMs),
      }),
    );
    expect(health.status).toBe(200);
    expect(healthMs).toBeLessThan(250);
    expect(sample(hung.filter((c) => c.status !== 504 || c.code !== 'UPSTREAM_TIMEOUT'))).toEqual([]);
    // As many as the pool holds answer after one timeout; those queued behind
    // them wait for a connection, then for their own timeout (slack for a busy
    // two-core machine running client, gateway and upstream in one process).
    expect(worstPooledMs).toBeLessThan(TIMEOUT_MS + 1000);
    expect(worstMs).toBeLessThan(2 * TIMEOUT_MS + 1500);
    expect(hang.maxOpen).toBeLessThanOrEqual(POOL);
    expect(sample(after.filter((c) => c?.status !== 200) as never)).toEqual([]);
    const text = await (await fetch(`${s.gw.url}/metrics`)).text();
    expect(text).toContain(`gateway_upstream_errors_total{module="orders",status="504"} ${n}`);
  });
});
