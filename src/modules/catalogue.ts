// The module catalogue (docs/domain.md#modules): built-in modules from the policy data,
// every module of the gateway's route table, every module an SoD pair names,
// and the approval modules checkers may hold instead of a route's module
// (`approval_modules`, e.g. refund_approvals: policies/authz/approval.rego).
import type { PolicyEngine } from '../../core/policy/engine.ts';
import { routeModules } from '../../core/routes/route-table.ts';
import { gatewayRoutes } from '../config/routes.ts';
import type { Config } from '../config/env.ts';

interface SodPair {
  name: string;
  a: { module: string; level: string };
  b: { module: string; level: string };
}

export function sodPairs(policy: PolicyEngine): SodPair[] {
  const cfg = policy.data['authz_config'] as { sod_pairs?: SodPair[] } | undefined;
  return cfg?.sod_pairs ?? [];
}

export function moduleCatalogue(policy: PolicyEngine, config: Pick<Config, 'GATEWAY_ROUTES'>): string[] {
  const modules = new Set<string>(policy.builtinModules);
  for (const m of routeModules(gatewayRoutes(config))) modules.add(m);
  for (const p of sodPairs(policy)) {
    modules.add(p.a.module);
    modules.add(p.b.module);
  }
  const approvalModules = (policy.data['authz_config'] as { approval_modules?: Record<string, string> } | undefined)?.approval_modules ?? {};
  for (const m of Object.values(approvalModules)) modules.add(m);
  return [...modules].sort();
}

/** One catalogue, as the sorted list /me and /modules show and as a set for lookups. */
interface Catalogue {
  list: string[];
  set: Set<string>;
}

const catalogues = new WeakMap<PolicyEngine, Map<string, Catalogue>>();

/**
 * Built once per bundle (a bundle server can put a new one in force while the
 * control plane runs) and route table; not kept when the route table cannot
 * be read, so the next call tries again.
 */
function cachedCatalogue(policy: PolicyEngine, config: Pick<Config, 'GATEWAY_ROUTES'>): Catalogue {
  const routesFile = config.GATEWAY_ROUTES;
  let byFile = catalogues.get(policy);
  if (!byFile) catalogues.set(policy, (byFile = new Map()));
  let catalogue = byFile.get(routesFile);
  if (!catalogue) {
    const list = moduleCatalogue(policy, config);
    byFile.set(routesFile, (catalogue = { list, set: new Set(list) }));
  }
  return catalogue;
}

/** The catalogue, sorted (see cachedCatalogue). */
export function catalogueList(policy: PolicyEngine, config: Pick<Config, 'GATEWAY_ROUTES'>): string[] {
  return cachedCatalogue(policy, config).list;
}

/** The catalogue as a set (see cachedCatalogue). */
export function catalogueSet(policy: PolicyEngine, config: Pick<Config, 'GATEWAY_ROUTES'>): Set<string> {
  return cachedCatalogue(policy, config).set;
}
