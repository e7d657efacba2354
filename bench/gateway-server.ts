// A gateway for the benchmark: wired exactly as gateway/server.ts wires it
// (same deps, same app, same default metrics), plus routes under /__bench that
// only this file adds — memory after a forced GC, the wasm memory high-water
// mark, the stage timers of gateway/pipeline/timing.ts, and cache flushes for the cold-path
// measurements. Prints `listening <port>` on stderr (stdout is the log).
// Run with --expose-gc so /__bench/memory can collect before measuring.
// With GATEWAY_WORKERS=N it is a node:cluster primary over N such gateways on
// one port, as gateway/server.ts runs them (each worker prints its `listening`;
// the /__bench routes then answer from whichever worker takes the connection).
import cluster from 'node:cluster';
import { collectDefaultMetrics } from 'prom-client';
import { loadGatewayConfig } from '../gateway/config.ts';
import { buildGateway } from '../gateway/app.ts';
import { closeGatewayDeps, createGatewayDeps } from '../gateway/create-deps.ts';
import { StageTimer } from '../gateway/ops/stage-timing.ts';
import { runPrimary } from '../gateway/cluster/primary.ts';
import { pauseRoutes } from './lib/pauses.ts';

const config = loadGatewayConfig();
if (config.GATEWAY_WORKERS > 1 && cluster.isPrimary) runPrimary({ workers: config.GATEWAY_WORKERS });
else await serve();

async function serve(): Promise<void> {
  const deps = await createGatewayDeps(config, { watchPolicy: false });
  collectDefaultMetrics({ register: deps.metrics.registry });
  const app = await buildGateway(deps);

  const gc = (globalThis as { gc?: () => void }).gc;

  function memory() {
    const m = process.memoryUsage();
    return {
      rssBytes: m.rss,
      heapUsedBytes: m.heapUsed,
      heapTotalBytes: m.heapTotal,
      externalBytes: m.external,
      arrayBuffersBytes: m.arrayBuffers,
      wasmMemoryBytes: deps.policy.engine.wasmMemoryBytes,
    };
  }

  app.get('/__bench/memory', async (request) => {
    const collect = (request.query as { gc?: string }).gc !== undefined;
    if (collect && gc) {
      // Twice: the first pass finalises what the second frees.
      gc();
      await new Promise((r) => setImmediate(r));
      gc();
    }
    return { ...memory(), collected: collect && gc !== undefined };
  });

  // on: a fresh timer; off: none (the gate pays one null check); the snapshot is read with GET.
  app.post('/__bench/stages/:mode', async (request) => {
    const mode = (request.params as { mode: string }).mode;
    deps.stages = mode === 'on' ? new StageTimer() : null;
    return { stages: deps.stages !== null };
  });
  app.get('/__bench/stages', async () => deps.stages?.snapshot() ?? null);
  pauseRoutes(app);

  // Cold paths: forget local principal records (Redis copies stay) and, if asked, verified tokens.
  app.post('/__bench/flush', async (request) => {
    deps.principals.flush();
    if ((request.query as { tokens?: string }).tokens !== undefined) deps.tokens.forgetAll();
    return { flushed: true };
  });

  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  console.error(`listening ${new URL(address).port}`);

  process.on('SIGTERM', () => {
    void app
      .close()
      .then(() => closeGatewayDeps(deps))
      .finally(() => process.exit(0));
  });
}
