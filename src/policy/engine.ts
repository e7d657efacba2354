// The compiled Rego bundle, loaded once per process. Both services evaluate
// the same bundle: the gateway for downstream requests, the control plane for
// admin operations and role validation.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import type { AdminInput, AdminResult, DecisionInput, DecisionResult, RoleCheckInput, RoleCheckResult } from './types.ts';

export type Entrypoint = 'authz/decision' | 'authz/admin' | 'authz/role_check';

export class PolicyError extends Error {
  override name = 'PolicyError';
}

export class PolicyEngine {
  private constructor(
    private readonly policy: LoadedPolicy,
    readonly revision: string,
    readonly data: Record<string, unknown>,
  ) {}

  /** Loads `policy.wasm`, `data.json` and `.manifest` from a built bundle folder; throws on anything odd. */
  static async load(dir: string): Promise<PolicyEngine> {
    let wasm: Buffer, data: Record<string, unknown>, manifest: { revision?: string; wasm?: { entrypoint: string }[] };
    try {
      [wasm, data, manifest] = await Promise.all([
        readFile(join(dir, 'policy.wasm')),
        readFile(join(dir, 'data.json'), 'utf8').then((s) => JSON.parse(s) as Record<string, unknown>),
        readFile(join(dir, '.manifest'), 'utf8').then((s) => JSON.parse(s) as typeof manifest),
      ]);
    } catch (err) {
      throw new PolicyError(`cannot read policy bundle in ${dir}: ${(err as Error).message} (run: npm run policy:build)`);
    }
    const entrypoints = new Set((manifest.wasm ?? []).map((w) => w.entrypoint));
    for (const e of ['authz/decision', 'authz/admin', 'authz/role_check'] satisfies Entrypoint[]) {
      if (!entrypoints.has(e)) throw new PolicyError(`policy bundle in ${dir} lacks entrypoint ${e}`);
    }
    let policy: LoadedPolicy;
    try {
      policy = await loadPolicy(wasm);
      policy.setData(data);
    } catch (err) {
      throw new PolicyError(`policy bundle in ${dir} does not load: ${(err as Error).message}`);
    }
    const engine = new PolicyEngine(policy, manifest.revision ?? 'unknown', data);
    engine.selfTest();
    return engine;
  }

  /** A bundle that loads but cannot decide is refused before it serves a request. */
  private selfTest(): void {
    const r = this.decide({
      principal: {
        user_id: 'self-test', tenant_id: 't', type: 'TENANT', reseller_id: '', merchant_id: '', status: 'DISABLED',
        session_active: true, role: { id: 'r', enabled: true, acl: {} }, merchants_access: [], merchant_resellers: {},
        product_ids: [], gateway_ref_ids: [],
      },
      context: { type: 'TENANT', id: 't' },
      request: { module: 'x', action: 'read', merchant: null, merchant_id: '', product_id: '', gateway_ref_id: '', maker_id: '' },
    });
    if (r.allow !== false || !Array.isArray(r.reasons)) throw new PolicyError('policy bundle failed its self-test');
  }

  evaluate<T>(entrypoint: Entrypoint, input: unknown): T {
    const out = this.policy.evaluate(input, entrypoint) as { result?: T }[];
    const first = out[0];
    if (!first || first.result === undefined) throw new PolicyError(`policy returned no result for ${entrypoint}`);
    return first.result;
  }

  /** Anything but an explicit `allow: true` is a deny. */
  decide(input: DecisionInput): DecisionResult {
    const r = this.evaluate<DecisionResult>('authz/decision', input);
    return { ...r, allow: r.allow === true };
  }

  admin(input: AdminInput): AdminResult {
    const r = this.evaluate<AdminResult>('authz/admin', input);
    return { allow: r.allow === true, reasons: r.reasons ?? [] };
  }

  roleCheck(input: RoleCheckInput): RoleCheckResult {
    return this.evaluate<RoleCheckResult>('authz/role_check', input);
  }

  /** Module names the policy data knows (built-ins). */
  get builtinModules(): string[] {
    const cfg = this.data['authz_config'] as { builtin_modules?: string[] } | undefined;
    return cfg?.builtin_modules ?? [];
  }
}
