// The control plane's one way to the gateway's route table (GATEWAY_ROUTES):
// the module catalogue lists its modules, an approved gateway request goes to
// its upstream. Read once per file; a bad table fails the first caller loudly.
import { loadRouteTable, type GatewayRoute } from '../../core/routes/route-table.ts';
import type { Config } from './env.ts';

const tables = new Map<string, GatewayRoute[]>();

export function gatewayRoutes(config: Pick<Config, 'GATEWAY_ROUTES'>): GatewayRoute[] {
  const file = config.GATEWAY_ROUTES;
  let routes = tables.get(file);
  if (!routes) tables.set(file, (routes = loadRouteTable(file)));
  return routes;
}
