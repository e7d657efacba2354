// The servers of a benchmark run, each in its own process: the upstream, the
// bare proxy, the control plane (the real entry point, src/server.ts), an OPA
// server on the same policies/ (the pinned CLI), and gateways.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startCommand, startService, type Service } from './processes.ts';

export const OPA_BIN = '.tools/bin/opa';

export interface GatewayOptions {
  memo: boolean;
  engine: 'wasm' | 'opa-http';
  /** Share of allowed decisions written to the decision log (default 1, the product's default; denies always are). */
  decisionLogSample?: number;
  /** LOG_LEVEL (default info, the product's default: the decision log on stdout is on). */
  logLevel?: 'info' | 'warn';
  /** GATEWAY_WORKERS (default 1). */
  workers?: number;
}

/**
 * CPUs for `--pin`: the process under test (bare proxy or gateway, and the
 * OPA sidecar, which shares its host) on `front`; the upstream, the control
 * plane and the load generator on `rest`. Without it the OS places everything.
 */
export interface Pinning {
  front: string;
  rest: string;
}

export interface Servers {
  upstream: Service;
  bare: Service;
  controlPlane: Service;
  opa: Service;
  /** Starts one more gateway in front of the upstream. */
  gateway: (name: string, o: GatewayOptions) => Promise<Service>;
  stopAll: () => Promise<void>;
}

export async function startServers(env: Record<string, string>, pin: Pinning | null = null): Promise<Servers> {
  const started: Service[] = [];
  const keep = <T extends Service>(s: T) => (started.push(s), s);
  const dir = await mkdtemp(join(tmpdir(), 'iam-bench-'));
  const stopAll = async () => {
    await Promise.all(started.map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const opaPort = await freePort();
    const cpPort = await freePort();
    const front = pin?.front;
    const rest = pin?.rest;
    // BENCH_PROFILE=<dir>: the bare proxy and each gateway write a V8 CPU profile there when they stop.
    const profile = process.env['BENCH_PROFILE'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROFILE']}`] : [];
    const upstreamStarted = startService('upstream', 'bench/upstream.ts', { ...(rest && { cpus: rest }) }).then(keep);
    const [upstream, bare, controlPlane, opa] = await Promise.all([
      upstreamStarted,
      upstreamStarted.then(async (u) => keep(await startService('bare proxy', 'bench/bare-proxy.ts', { nodeArgs: profile, env: { UPSTREAM_URL: u.url }, ...(front && { cpus: front }) }))),
      startCommand('control plane', process.execPath, ['--import', 'tsx', 'src/server.ts'], cpPort, '/healthz', {
        ...env,
        CONTROL_PLANE_PORT: String(cpPort),
      }, rest).then(keep),
      startCommand(
        'opa',
        OPA_BIN,
        ['run', '--server', '--addr', `127.0.0.1:${opaPort}`, '--log-level', 'error', '--disable-telemetry', '--ignore', '*_test.rego', '--ignore', 'schemas', 'policies'],
        opaPort,
        '/health',
        {},
        front,
      ).then(keep),
    ]);

    const routes = join(dir, 'routes.yaml');
    await writeFile(
      routes,
      [
        'routes:',
        '  - prefix: /orders',
        `    upstream: ${upstream.url}`,
        '    module: orders',
        '    merchant: { from: header, name: x-merchant-id }',
        '    product: { from: header, name: x-product-id }',
        // The realistic mix (bench/lib/mix.ts) spreads over three modules.
        ...['payments', 'refunds'].flatMap((module) => [
          `  - prefix: /${module}`,
          `    upstream: ${upstream.url}`,
          `    module: ${module}`,
          '    merchant: { from: header, name: x-merchant-id }',
        ]),
        '',
      ].join('\n'),
    );
    const gateway = async (name: string, o: GatewayOptions) =>
      keep(
        await startService(name, 'bench/gateway-server.ts', {
          nodeArgs: ['--expose-gc', ...profile],
          readyOn: 'stderr',
          discardStdout: true,
          ...(front && { cpus: front }),
          env: {
            ...env,
            // The product's defaults: every decision an event on stdout, which goes to
            // /dev/null here (as a log shipper reading a file would take it: no pipe to drain).
            LOG_LEVEL: o.logLevel ?? 'info',
            DECISION_LOG_SAMPLE: String(o.decisionLogSample ?? 1),
            GATEWAY_WORKERS: String(o.workers ?? 1),
            CONTROL_PLANE_URL: controlPlane.url,
            GATEWAY_ROUTES: routes,
            GATEWAY_DECISION_MEMO: String(o.memo),
            GATEWAY_DECISION_ENGINE: o.engine,
            OPA_URL: opa.url,
          },
        }),
      );
    return { upstream, bare, controlPlane, opa, gateway, stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** JSON from a gateway's /__bench routes. */
export async function benchCall<T>(gateway: Service, path: string, method: 'GET' | 'POST' = 'GET'): Promise<T> {
  const res = await fetch(`${gateway.url}/__bench/${path}`, { method });
  if (!res.ok) throw new Error(`${gateway.name} /__bench/${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
