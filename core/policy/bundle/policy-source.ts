// What both services do with their policy configuration at boot: with
// POLICY_BUNDLE_URL a bundle client (client.ts) that starts on the persisted
// bundle or a first download and then follows the server; without it, the
// bundle built in POLICY_DIR (the gateway also watches that folder:
// gateway/policy/policy-holder.ts). Either way an ActivePolicy holds the
// engine in force, with status reports to STATUS_URL when it is set.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import type { BaseConfig } from '../../config/base.ts';
import { PolicyEngine } from '../engine.ts';
import { ActivePolicy } from './active-policy.ts';
import { BundleClient } from './client.ts';
import { verificationKey } from './signature.ts';
import { StatusReporter } from './status.ts';

export type PolicySourceConfig = Pick<BaseConfig,
  'POLICY_DIR' | 'POLICY_BUNDLE_URL' | 'POLICY_BUNDLE_TOKEN' | 'POLICY_BUNDLE_VERIFICATION_KEY' | 'POLICY_BUNDLE_POLL_SECONDS'
  | 'POLICY_BUNDLE_LONG_POLL_SECONDS' | 'POLICY_BUNDLE_TIMEOUT_MS' | 'POLICY_BUNDLE_CACHE_DIR' | 'STATUS_URL'>;

export interface PolicySource {
  active: ActivePolicy;
  /** null when the bundle comes from POLICY_DIR. */
  client: BundleClient | null;
  status: StatusReporter | null;
  close(): Promise<void>;
}

export interface PolicySourceOptions {
  log: Logger;
  /** `gateway` or `control-plane`: the status report's `labels.service`. */
  service: string;
  /** The status report's `labels.id` (default `<host>:<pid>`). */
  instanceId?: string;
}

/** The PEM of POLICY_BUNDLE_VERIFICATION_KEY, given inline or as a file path. */
export function bundleVerificationKey(value: string | undefined): KeyObject | null {
  if (value === undefined) return null;
  // Inline PEM may come with \n escapes (one-line environment files), as JWT_PRIVATE_KEY may.
  const pem = value.includes('-----BEGIN') ? value.replaceAll('\\n', '\n') : readFileSync(value, 'utf8');
  return verificationKey(pem);
}

export async function openPolicySource(config: PolicySourceConfig, o: PolicySourceOptions): Promise<PolicySource> {
  let active: ActivePolicy;
  let client: BundleClient | null = null;
  if (config.POLICY_BUNDLE_URL === undefined) {
    active = new ActivePolicy(await PolicyEngine.load(config.POLICY_DIR), 'folder');
  } else {
    client = new BundleClient({
      url: config.POLICY_BUNDLE_URL,
      token: config.POLICY_BUNDLE_TOKEN ?? null,
      key: bundleVerificationKey(config.POLICY_BUNDLE_VERIFICATION_KEY),
      pollSeconds: config.POLICY_BUNDLE_POLL_SECONDS,
      longPollSeconds: config.POLICY_BUNDLE_LONG_POLL_SECONDS,
      timeoutMs: config.POLICY_BUNDLE_TIMEOUT_MS,
      cacheDir: config.POLICY_BUNDLE_CACHE_DIR,
      log: o.log,
    });
    const boot = await client.boot();
    active = new ActivePolicy(boot.engine, boot.source);
  }
  let status: StatusReporter | null = null;
  if (config.STATUS_URL !== undefined) {
    status = new StatusReporter({
      url: config.STATUS_URL,
      instanceId: o.instanceId ?? `${hostname()}:${process.pid}`,
      service: o.service,
      // The bundle token goes to the status service only when it is the same server.
      token: sameOrigin(config.STATUS_URL, config.POLICY_BUNDLE_URL) ? config.POLICY_BUNDLE_TOKEN ?? null : null,
      timeoutMs: config.POLICY_BUNDLE_TIMEOUT_MS,
      log: o.log,
    });
    status.follow(active);
  }
  client?.start(active);
  return {
    active,
    client,
    status,
    async close() {
      await client?.close();
      status?.close();
      active.close();
    },
  };
}

/** Whether `b` is set and on the same origin as `a`: only then may a token meant for one go to the other. */
export function sameOrigin(a: string, b: string | undefined): boolean {
  return b !== undefined && new URL(a).origin === new URL(b).origin;
}
