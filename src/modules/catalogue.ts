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

const catalogues = new WeakMap<PolicyEngine, Map<string, Set<string>>>();

/** The catalogue as a set, built once per bundle and route table (both are fixed for a process). */
export function catalogueSet(policy: PolicyEngine, config: Pick<Config, 'GATEWAY_ROUTES'>): Set<string> {
  const routesFile = config.GATEWAY_ROUTES;
  let byFile = catalogues.get(policy);
  if (!byFile) catalogues.set(policy, (byFile = new Map()));
  let set = byFile.get(routesFile);
  if (!set) byFile.set(routesFile, (set = new Set(moduleCatalogue(policy, config))));
  return set;
}
