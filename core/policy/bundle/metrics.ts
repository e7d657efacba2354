// The bundle life cycle in /metrics, registered on a service's own registry
// with its prefix (`gateway_…`):
//   <prefix>_policy_bundle_activations_total            bundles put in force
//   <prefix>_policy_bundle_refused_total{reason}        download | verification | load | health
//   <prefix>_policy_bundle_activation_timestamp_seconds when the bundle in force was activated
//   <prefix>_policy_bundle_revision_info{revision,source}  the bundle in force (value 1)
//   <prefix>_policy_bundle_persist_failures_total     bundles activated but not written to
//                                                     POLICY_BUNDLE_CACHE_DIR (a restart needs the server)
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ActivePolicy } from './active-policy.ts';
import { refusalReasons } from './refusal.ts';

/** Bundles refused, by reason; every reason is there from the start, so a dashboard reads 0, not nothing. */
export function refusalCounter(registry: Registry, name: string, help: string): Counter<'reason'> {
  const counter = new Counter({ name, help, labelNames: ['reason'] as const, registers: [registry] });
  for (const reason of refusalReasons) counter.labels(reason).inc(0);
  return counter;
}

export function registerBundleMetrics(registry: Registry, prefix: string, active: ActivePolicy): void {
  const activations = new Counter({
    name: `${prefix}_policy_bundle_activations_total`,
    help: 'Policy bundles activated (put in force) since start, the boot bundle included',
    registers: [registry],
  });
  const refused = refusalCounter(
    registry,
    `${prefix}_policy_bundle_refused_total`,
    'Policy bundles refused (the last good one stays), by reason: download, verification, load, health',
  );
  new Gauge({
    name: `${prefix}_policy_bundle_activation_timestamp_seconds`,
    help: 'Unix time the policy bundle in force was activated',
    registers: [registry],
    collect() {
      this.set(active.status.activatedAt.getTime() / 1000);
    },
  });
  new Gauge({
    name: `${prefix}_policy_bundle_revision_info`,
    help: 'The policy bundle in force (value 1), by revision and source (folder, server, cache)',
    labelNames: ['revision', 'source'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.labels(active.status.revision, active.status.source).set(1);
    },
  });
  new Counter({
    name: `${prefix}_policy_bundle_persist_failures_total`,
    help: 'Activated policy bundles that could not be written to POLICY_BUNDLE_CACHE_DIR (a restart then needs the bundle server)',
    registers: [registry],
    collect() {
      // Counted by ActivePolicy (failures at boot come before this registry exists); read here.
      this.reset();
      this.inc(active.status.persistFailures);
    },
  });
  activations.inc();
  active.on((e) => {
    if (e.kind === 'activated') activations.inc();
    else refused.labels(e.error.reason).inc();
  });
}
