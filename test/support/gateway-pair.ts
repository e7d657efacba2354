// Two gateway instances behind one control plane, on the gateway suites'
// route table (test/gateway/routes.yaml): its upstream is a recording one,
// its dead route a closed port. The security suites that check a gateway
// answer (the access matrix, header spoofing and routing) run every case on
// both instances.
import { afterAll, beforeAll } from 'vitest';
import { startControlPlane, type RunningControlPlane } from './control-plane.ts';
import { startGateway, type RunningGateway } from './gateway.ts';
import { closedPortUrl } from './raw-http.ts';
import { startUpstream, type RunningUpstream } from './upstream.ts';
import { gatewayWorld, type GatewayWorld } from './worlds/gateway.ts';

export const GATEWAY_PAIR_ROUTES = 'test/gateway/routes.yaml';

export interface GatewayPair {
  cp: RunningControlPlane;
  upstream: RunningUpstream;
  gateways: RunningGateway[];
  world: GatewayWorld;
}

/**
 * The pair for the whole test file: started before its first test (control
 * plane, upstream, both gateways, then the world's rows), closed after its
 * last (gateways, upstream, control plane). The handle reads through to the
 * running pair.
 */
export function useGatewayPair(): GatewayPair {
  let running: Partial<GatewayPair> | null = null;
  beforeAll(async () => {
    const started: Partial<GatewayPair> = {};
    running = started;
    started.cp = await startControlPlane();
    const upstream = (started.upstream = await startUpstream());
    const upstreams = { 'http://upstream.test:1': upstream.url, 'http://dead.test:1': await closedPortUrl() };
    const url = started.cp.url;
    started.gateways = await Promise.all([1, 2].map(() => startGateway({ routes: GATEWAY_PAIR_ROUTES, upstreams, env: { CONTROL_PLANE_URL: url } })));
    started.world = await gatewayWorld(started.cp.deps);
  });
  afterAll(async () => {
    await Promise.all((running?.gateways ?? []).map((g) => g.close()));
    await running?.upstream?.close();
    await running?.cp?.close();
  });
  const current = <K extends keyof GatewayPair>(key: K): GatewayPair[K] => {
    const value = running?.[key];
    if (value === undefined) throw new Error('the gateway pair starts in beforeAll');
    return value;
  };
  return {
    get cp() {
      return current('cp');
    },
    get upstream() {
      return current('upstream');
    },
    get gateways() {
      return current('gateways');
    },
    get world() {
      return current('world');
    },
  };
}
