// The compiled Rego bundle, loaded once per process. Both services evaluate
// the same bundle: the gateway for downstream requests, the control plane for
// admin operations and role validation.
//
// Evaluation goes through wasm-evaluator.ts (the wasm ABI directly) when the
// SDK's internals are the expected ones, else through the SDK. The gateway's
// hot path uses `decidePrepared`: the principal's, the context's and the
// request's JSON are made once (PreparedValue: per record, per token, per
// distinct request) and parsed into the wasm once.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import type {
  AdminInput, AdminResult, ContextInput, DecisionInput, DecisionResult, PrincipalInput, RoleCheckInput, RoleCheckResult,
} from './types.ts';
import { PreparedValue, WasmEvaluator, type Link } from './wasm-evaluator.ts';

export { PreparedValue } from './wasm-evaluator.ts';

export type Entrypoint = 'authz/decision' | 'authz/admin' | 'authz/role_check';

export class PolicyError extends Error {
  override name = 'PolicyError';

  /** `load`: the bundle's files are not a policy; `health`: it loads but fails the known-input check. */
  constructor(message: string, readonly stage: 'load' | 'health' = 'load') {
    super(message);
  }
}

/** The files of a built bundle the engine reads (`opa build -t wasm`). */
export interface BundleFiles {
  wasm: Uint8Array;
  data: string;
  manifest: string;
}

export interface PolicyEngineOptions {
  /** Bound on prepared values parsed into the wasm (default 16 MB); past it they are parsed again on use. */
  arenaMaxBytes?: number;
}

/** How `decidePrepared` hands the principal to the wasm: parsed once (arena), or as JSON with each call. */
export type PreparedMode = 'arena' | 'json' | 'sdk';

/**
 * A decision input as prepared parts, each serialised once: reuse a part for
 * as long as what it was made from is unchanged (the principal's records, the
 * token's context, the request's fields and merchant record).
 */
export interface PreparedParts {
  principal: PreparedValue;
  context: PreparedValue;
  /** Prepared, or JSON parsed with the call: a request one of a kind (a route's policyInput facts) is not worth keeping. */
  request: PreparedValue | string;
}

/** A decision request without its merchant record. */
export type PreparedRequest = Omit<DecisionInput['request'], 'merchant'>;

export const preparePrincipal = (principal: PrincipalInput) => new PreparedValue(JSON.stringify(principal));
export const prepareContext = (context: ContextInput) => new PreparedValue(JSON.stringify(context));
export const prepareRequest = (request: DecisionInput['request']) => {
  const { merchant, ...rest } = request;
  return new PreparedValue(requestJson(rest, JSON.stringify(merchant)));
};

/** Link paths of the evaluator: where prepared parts go in the input (indices used below). */
const LINKS = [['principal'], ['context'], ['request']] as const;
const PRINCIPAL = 0;
const CONTEXT = 1;
const REQUEST = 2;

const str = (s: string) => (s === '' ? '""' : JSON.stringify(s));
/** A boolean as JSON; anything else as null (which the policy refuses: never coerced into a valid fact). */
const bool = (b: boolean) => (b === true ? 'true' : b === false ? 'false' : 'null');

/** The request members only an approval has. */
const approvalFacts = ['maker_context', 'made_at', 'checker_appointments', 'target_user_id', 'target_role_id'] as const;

/**
 * The request object's JSON, its merchant record given as JSON (`null` for
 * none): a key for sharing request parts, too. `line`: more members as JSON
 * (a route's policyInput facts: method, path, query, headers), "" for none.
 */
export function requestJson(r: PreparedRequest, merchantJson: string, line = ''): string {
  const members = `"module":${str(r.module)},"action":${str(r.action)},"merchant":${merchantJson},"merchant_id":${str(r.merchant_id)},` +
    `"product_id":${str(r.product_id)},"gateway_ref_id":${str(r.gateway_ref_id)},` +
    `"product_required":${bool(r.product_required)},"gateway_ref_required":${bool(r.gateway_ref_required)},` +
    `"maker_id":${str(r.maker_id)}${line === '' ? '' : `,${line}`}`;
  if (r.action !== 'approve') return `{${members}}`;
  // Approvals (control plane, not the hot path): their facts as they are.
  const facts = approvalFacts.flatMap((k) => (r[k] === undefined ? [] : [`"${k}":${JSON.stringify(r[k])}`]));
  return facts.length === 0 ? `{${members}}` : `{${members},${facts.join(',')}}`;
}

const encoder = new TextEncoder();

export class PolicyEngine {
  private readonly evaluator: WasmEvaluator | null;
  private readonly decisionEntrypoint: number;

  private constructor(
    private readonly policy: LoadedPolicy,
    readonly revision: string,
    readonly data: Record<string, unknown>,
    opts: PolicyEngineOptions,
  ) {
    this.evaluator = WasmEvaluator.from(policy, LINKS, opts.arenaMaxBytes ?? 16 * 1024 * 1024);
    this.decisionEntrypoint = this.evaluator?.entrypoints['authz/decision'] ?? -1;
  }

  /** Loads `policy.wasm`, `data.json` and `.manifest` from a built bundle folder; throws on anything odd. */
  static async load(dir: string, opts: PolicyEngineOptions = {}): Promise<PolicyEngine> {
    let files: BundleFiles;
    try {
      const [wasm, data, manifest] = await Promise.all([
        readFile(join(dir, 'policy.wasm')),
        readFile(join(dir, 'data.json'), 'utf8'),
        readFile(join(dir, '.manifest'), 'utf8'),
      ]);
      files = { wasm, data, manifest };
    } catch (err) {
      throw new PolicyError(`cannot read policy bundle in ${dir}: ${(err as Error).message} (run: npm run policy:build)`);
    }
    return PolicyEngine.fromFiles(files, `policy bundle in ${dir}`, opts);
  }

  /**
   * The engine of a bundle's files (a folder's, or a downloaded tarball's:
   * core/policy/bundle/). Throws a PolicyError whose `stage` says whether the
   * bundle did not load or loaded and failed its self-test.
   */
  static async fromFiles(files: BundleFiles, origin: string, opts: PolicyEngineOptions = {}): Promise<PolicyEngine> {
    let data: Record<string, unknown>, manifest: { revision?: string; wasm?: { entrypoint: string }[] };
    try {
      data = JSON.parse(files.data) as Record<string, unknown>;
      manifest = JSON.parse(files.manifest) as typeof manifest;
    } catch (err) {
      throw new PolicyError(`cannot read ${origin}: ${(err as Error).message}`);
    }
    const entrypoints = new Set((manifest.wasm ?? []).map((w) => w.entrypoint));
    for (const e of ['authz/decision', 'authz/admin', 'authz/role_check'] satisfies Entrypoint[]) {
      if (!entrypoints.has(e)) throw new PolicyError(`${origin} lacks entrypoint ${e}`);
    }
    let policy: LoadedPolicy;
    try {
      policy = await loadPolicy(files.wasm);
      policy.setData(data);
    } catch (err) {
      throw new PolicyError(`${origin} does not load: ${(err as Error).message}`);
    }
    const engine = new PolicyEngine(policy, manifest.revision ?? 'unknown', data, opts);
    try {
      engine.selfTest();
    } catch (err) {
      throw new PolicyError(`${origin} failed its self-test: ${(err as Error).message}`, 'health');
    }
    engine.checkArena();
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
      request: {
        module: 'x', action: 'read', merchant: null, merchant_id: '', product_id: '', gateway_ref_id: '',
        product_required: false, gateway_ref_required: false, maker_id: '',
      },
    });
    if (r.allow !== false || !Array.isArray(r.reasons)) throw new PolicyError('a disabled user with an empty role was not denied with reasons');
  }

  /**
   * The prepared path must answer exactly as the plain one and leave the
   * parsed principals untouched; checked on a spread of inputs for every
   * bundle. A bundle that fails it still loads, with principals sent as JSON.
   */
  private checkArena(): void {
    const ev = this.evaluator;
    if (ev === null) return;
    const canonical = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) =>
      x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x);
    const inputs = arenaCheckInputs();
    const prepared = inputs.map((i) => ({
      principal: preparePrincipal(i.principal),
      context: prepareContext(i.context),
      request: prepareRequest(i.request),
    }));
    let ok = true;
    const max = ev.arenaMaxBytes;
    ev.arenaMaxBytes = Infinity; // no emptying in the middle of the check
    try {
      for (let round = 0; round < 2 && ok; round++) {
        for (let k = 0; k < inputs.length && ok; k++) {
          const before = round === 0 ? null : ev.arenaSnapshot();
          const viaArena = this.evaluatePrepared(prepared[k]!);
          const after = before === null ? null : ev.arenaSnapshot();
          const plain = ev.evaluate(this.decisionEntrypoint, JSON.stringify(inputs[k]));
          ok = canonical(viaArena) === canonical(plain) && (before === null || Buffer.compare(before, after!) === 0);
        }
      }
    } catch {
      ok = false;
    } finally {
      ev.arenaMaxBytes = max;
    }
    ev.resetArena();
    ev.arenaEnabled = ok;
  }

  /** How the gateway's prepared principals reach the wasm with this bundle. */
  get preparedMode(): PreparedMode {
    return this.evaluator === null ? 'sdk' : this.evaluator.arenaEnabled ? 'arena' : 'json';
  }

  evaluate<T>(entrypoint: Entrypoint, input: unknown): T {
    const out = (
      this.evaluator === null
        ? this.policy.evaluate(input, entrypoint)
        : this.evaluator.evaluate(this.evaluator.entrypoints[entrypoint]!, JSON.stringify(input))
    ) as { result?: T }[];
    return firstResult(out, entrypoint);
  }

  /** Anything but an explicit `allow: true` is a deny. */
  decide(input: DecisionInput): DecisionResult {
    const r = this.evaluate<DecisionResult>('authz/decision', input);
    return { ...r, allow: r.allow === true };
  }

  /**
   * `decide` for an input made of prepared parts: the gateway's hot path. The
   * answer is `decide`'s for the same input (checked for every bundle by
   * checkArena). Per call the wasm parses nothing but links the parts.
   */
  decidePrepared(parts: PreparedParts): DecisionResult {
    const r = firstResult(this.evaluatePrepared(parts) as { result?: DecisionResult }[], 'authz/decision');
    return { ...r, allow: r.allow === true };
  }

  private evaluatePrepared(parts: PreparedParts): unknown {
    const ev = this.evaluator;
    const request = parts.request;
    if (ev !== null && ev.arenaEnabled) {
      if (typeof request === 'string') {
        // Parsed with the call, below the per-call heap: never kept in the arena.
        const links: Link[] = [{ path: PRINCIPAL, value: parts.principal }, { path: CONTEXT, value: parts.context }];
        return ev.evaluateWith(this.decisionEntrypoint, `{"request":${request}}`, links);
      }
      const links: Link[] = [
        { path: PRINCIPAL, value: parts.principal },
        { path: CONTEXT, value: parts.context },
        { path: REQUEST, value: request },
      ];
      return ev.evaluateWith(this.decisionEntrypoint, '{}', links);
    }
    const requestText = typeof request === 'string' ? request : request.json;
    const whole = `{"principal":${parts.principal.json},"context":${parts.context.json},"request":${requestText}}`;
    return ev === null ? this.policy.evaluate(encoder.encode(whole).buffer, 'authz/decision') : ev.evaluate(this.decisionEntrypoint, whole);
  }

  admin(input: AdminInput): AdminResult {
    const r = this.evaluate<AdminResult>('authz/admin', input);
    return { allow: r.allow === true, reasons: r.reasons ?? [] };
  }

  roleCheck(input: RoleCheckInput): RoleCheckResult {
    return this.evaluate<RoleCheckResult>('authz/role_check', input);
  }

  /** Size of the wasm instance's linear memory: its high-water mark, since wasm memory never shrinks. */
  get wasmMemoryBytes(): number {
    return (this.policy as unknown as { mem: { buffer: ArrayBuffer } }).mem.buffer.byteLength;
  }

  /** Bytes of principals parsed into the wasm now (0 without the arena). */
  get arenaBytes(): number {
    return this.evaluator?.arenaBytes ?? 0;
  }

  /** Module names the policy data knows (built-ins). */
  get builtinModules(): string[] {
    const cfg = this.data['authz_config'] as { builtin_modules?: string[] } | undefined;
    return cfg?.builtin_modules ?? [];
  }
}

function firstResult<T>(out: { result?: T }[], entrypoint: string): T {
  const first = out[0];
  if (!first || first.result === undefined) throw new PolicyError(`policy returned no result for ${entrypoint}`);
  return first.result;
}

/** Inputs that reach every kind of rule of authz/decision: principal reasons, levels, merchant access and scope, restrictions, approvals. */
function arenaCheckInputs(): DecisionInput[] {
  const principal = (over: Partial<PrincipalInput>): PrincipalInput => ({
    user_id: 'u-check', tenant_id: 't', type: 'TENANT', reseller_id: '', merchant_id: '', status: 'ACTIVE', session_active: true,
    role: { id: 'r', enabled: true, acl: { orders: 'RW', refunds: 'CHECKER', payments: 'R' } },
    merchants_access: [], merchant_resellers: {}, product_ids: [], gateway_ref_ids: [], ...over,
  });
  const request = (over: Partial<DecisionInput['request']>): DecisionInput['request'] => ({
    module: 'orders', action: 'read', merchant: { id: 'm1', tenant_id: 't', reseller_id: 'r1' }, merchant_id: 'm1',
    product_id: '', gateway_ref_id: '', product_required: false, gateway_ref_required: false, maker_id: '', ...over,
  });
  const approval = { made_at: 1, checker_appointments: [{ by: 'u-other', at: 0, what: 'user.invite' }] };
  const listed = { merchants_access: ['m1', 'm2', 'm3'], merchant_resellers: { m1: 'r1', m2: 'r1', m3: '' } };
  return [
    { principal: principal({}), context: { type: 'TENANT', id: 't' }, request: request({}) },
    { principal: principal({ ...listed }), context: { type: 'TENANT', id: 't' }, request: request({ merchant: null, merchant_id: '' }) },
    { principal: principal({ type: 'RESELLER', reseller_id: 'r1', ...listed }), context: { type: 'RESELLER', id: 'r1' }, request: request({ merchant: null, merchant_id: '' }) },
    { principal: principal({ type: 'RESELLER', reseller_id: 'r1', ...listed }), context: { type: 'RESELLER', id: 'r1' }, request: request({ action: 'write', product_id: 'p9' }) },
    { principal: principal({ type: 'MERCHANT', merchant_id: 'm2' }), context: { type: 'MERCHANT', id: 'm2' }, request: request({}) },
    { principal: principal({ status: 'DISABLED', session_active: false, role: { id: 'r', enabled: false, acl: {} } }), context: { type: 'TENANT', id: 't' }, request: request({}) },
    { principal: principal({ product_ids: ['p1'], gateway_ref_ids: ['g1'] }), context: { type: 'TENANT', id: 't' }, request: request({ product_id: 'p2', gateway_ref_id: 'g2' }) },
    { principal: principal({}), context: { type: 'TENANT', id: 't' }, request: request({ module: 'refunds', action: 'approve', maker_id: 'u-check', maker_context: { type: 'TENANT', id: 't' }, ...approval }) },
    { principal: principal({}), context: { type: 'TENANT', id: 't' }, request: request({ module: 'refunds', action: 'approve', maker_id: 'someone-else', maker_context: { type: 'TENANT', id: 't' }, ...approval }) },
    { principal: principal({ product_ids: ['p1'] }), context: { type: 'TENANT', id: 't' }, request: request({ product_required: true }) },
  ];
}
