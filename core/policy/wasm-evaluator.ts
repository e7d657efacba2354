// Evaluating the compiled policy through the wasm ABI directly, for the two
// costs the SDK's `evaluate` cannot avoid (measured in bench/RESULTS.md):
//
// 1. Per call it stringifies the input, encodes it into a fresh Uint8Array,
//    copies that into wasm memory and decodes the result with a fresh
//    TextDecoder. Here the input string is encoded straight into wasm memory.
// 2. Most of an evaluation is the wasm parsing the input JSON, and most of the
//    input is the principal (the role's ACL, up to hundreds of listed
//    merchants), identical on every request of a session; the context and the
//    merchant record repeat too. So such parts (PreparedValue) are parsed into
//    the wasm heap once (an "arena" kept below the per-call heap) and each
//    request parses only its own small part and links the prepared ones into
//    the input object by address (`opa_value_add_path`).
//
// Memory layout above the policy data (the SDK's `dataHeapPtr`):
//   [ link paths | prepared values … arenaTop | per-call heap … ]
// Every call resets the heap pointer to `arenaTop` (which also resets the
// wasm allocator's free lists), so a call's garbage is dropped at once and the
// arena is never reused by the allocator. The arena is bounded: past
// `arenaMaxBytes` it is emptied (a new generation) and principals are parsed
// again on their next use.
//
// The evaluation must not mutate or free input values for the arena to be
// sound. Compiled Rego does not; PolicyEngine checks it again for every bundle
// it loads (the same answers as the plain path, the arena bytes unchanged) and
// falls back to the plain path if not. Depends on the SDK's ABI ≥ 1.2 fields;
// `from` returns null for an SDK without them, and the engine uses the SDK.

/** A part of the policy input serialised once: its JSON text, and where it was parsed, in which evaluator. */
export class PreparedValue {
  owner: WasmEvaluator | null = null;
  generation = -1;
  address = 0;

  constructor(readonly json: string) {}
}

/** Where prepared values go in an input: fixed when the evaluator is made, parsed below the arena. */
export type LinkPath = readonly string[];

/** A prepared value and the link path (index into the evaluator's `links`) it goes to. */
export interface Link {
  path: number;
  value: PreparedValue;
}

type Fn = (...args: number[]) => number;
interface Exports {
  opa_eval: Fn;
  opa_eval_ctx_new: Fn;
  opa_eval_ctx_set_input: Fn;
  opa_eval_ctx_set_data: Fn;
  opa_eval_ctx_set_entrypoint: Fn;
  opa_eval_ctx_get_result: Fn;
  opa_json_parse: Fn;
  opa_json_dump: Fn;
  opa_heap_ptr_get: Fn;
  opa_heap_ptr_set: Fn;
  opa_value_add_path: Fn;
  eval: Fn;
}
interface Memory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

const PAGE = 65536;
const encoder = new TextEncoder();

export class PolicyEvalError extends Error {
  override name = 'PolicyEvalError';
}

export class WasmEvaluator {
  private view: Uint8Array;
  private text: Buffer;
  private readonly arenaBase: number;
  private arenaTop: number;
  private generation = 0;
  private readonly pathAddresses: number[];
  /** Cleared when the bundle fails the arena check: then principals are sent as JSON with each call. */
  arenaEnabled = true;

  private constructor(
    private readonly x: Exports,
    private readonly mem: Memory,
    private readonly dataAddr: number,
    heapBase: number,
    readonly entrypoints: Readonly<Record<string, number>>,
    readonly links: readonly LinkPath[],
    /** Past this many bytes of prepared values the arena is emptied (a check may lift it for its duration). */
    public arenaMaxBytes: number,
  ) {
    this.view = new Uint8Array(mem.buffer);
    this.text = Buffer.from(mem.buffer);
    this.x.opa_heap_ptr_set(heapBase);
    this.pathAddresses = links.map((path) => this.parseAt(this.x.opa_heap_ptr_get(), JSON.stringify(path)));
    this.arenaBase = this.x.opa_heap_ptr_get();
    this.arenaTop = this.arenaBase;
  }

  /** The evaluator of a loaded SDK policy (after setData), or null when the SDK's internals are not the expected ones. */
  static from(policy: unknown, links: readonly LinkPath[], arenaMaxBytes: number): WasmEvaluator | null {
    const p = policy as {
      minorVersion?: unknown;
      mem?: Memory;
      wasmInstance?: { exports?: Partial<Record<keyof Exports, unknown>> };
      dataAddr?: unknown;
      dataHeapPtr?: unknown;
      entrypoints?: unknown;
    };
    const x = p.wasmInstance?.exports;
    const needed: (keyof Exports)[] = [
      'opa_eval', 'opa_eval_ctx_new', 'opa_eval_ctx_set_input', 'opa_eval_ctx_set_data', 'opa_eval_ctx_set_entrypoint',
      'opa_eval_ctx_get_result', 'opa_json_parse', 'opa_json_dump', 'opa_heap_ptr_get', 'opa_heap_ptr_set', 'opa_value_add_path', 'eval',
    ];
    if (
      x === undefined || needed.some((k) => typeof x[k] !== 'function') || typeof p.minorVersion !== 'number' || p.minorVersion < 2
      || !(p.mem?.buffer instanceof ArrayBuffer) || typeof p.dataAddr !== 'number' || typeof p.dataHeapPtr !== 'number'
      || typeof p.entrypoints !== 'object' || p.entrypoints === null
    ) {
      return null;
    }
    return new WasmEvaluator(x as Exports, p.mem, p.dataAddr, p.dataHeapPtr, p.entrypoints as Record<string, number>, links, arenaMaxBytes);
  }

  /** Bytes of wasm memory, all of it (the high-water mark: wasm memory never shrinks). */
  get memoryBytes(): number {
    return this.mem.buffer.byteLength;
  }

  /** Bytes of parsed principals held now. */
  get arenaBytes(): number {
    return this.arenaTop - this.arenaBase;
  }

  /** The result set for a JSON input (`opa_eval`, ABI 1.2: parse, evaluate and dump in one call). */
  evaluate(entrypoint: number, inputJson: string): unknown {
    const at = this.arenaTop;
    const len = this.write(at, inputJson);
    return this.readJson(this.x.opa_eval(0, entrypoint, this.dataAddr, at, len, at + len, 0));
  }

  /**
   * The result set for the input `restJson` with each link's prepared value
   * placed at its path. Only while `arenaEnabled`; else evaluate the whole
   * input as JSON.
   */
  evaluateWith(entrypoint: number, restJson: string, links: readonly Link[]): unknown {
    // Prepared values first: parsing one may empty the arena, and moves arenaTop.
    const addresses = links.map((l) => this.valueAddress(l.value));
    const input = this.parseAt(this.arenaTop, restJson);
    for (let i = 0; i < links.length; i++) {
      if (this.x.opa_value_add_path(input, this.pathAddresses[links[i]!.path]!, addresses[i]!) !== 0) {
        throw new PolicyEvalError('cannot link a prepared value into the input');
      }
    }
    const ctx = this.x.opa_eval_ctx_new();
    this.x.opa_eval_ctx_set_input(ctx, input);
    this.x.opa_eval_ctx_set_data(ctx, this.dataAddr);
    this.x.opa_eval_ctx_set_entrypoint(ctx, entrypoint);
    const err = this.x.eval(ctx);
    if (err !== 0) throw new PolicyEvalError(`policy evaluation failed (wasm error ${err})`);
    return this.readResult(this.x.opa_json_dump(this.x.opa_eval_ctx_get_result(ctx)));
  }

  /** A copy of the arena's bytes, to check that evaluations leave it untouched. */
  arenaSnapshot(): Uint8Array {
    return this.bytes().slice(this.arenaBase, this.arenaTop);
  }

  /** Empties the arena: every prepared principal is parsed again on its next use. */
  resetArena(): void {
    this.generation++;
    this.arenaTop = this.arenaBase;
  }

  private valueAddress(p: PreparedValue): number {
    if (p.owner === this && p.generation === this.generation) return p.address;
    if (this.arenaTop - this.arenaBase >= this.arenaMaxBytes) this.resetArena();
    const address = this.parseAt(this.arenaTop, p.json);
    this.arenaTop = this.x.opa_heap_ptr_get();
    p.owner = this;
    p.generation = this.generation;
    p.address = address;
    return address;
  }

  /** Writes `json` at `at`, moves the heap pointer past it and parses it there; the value lands above the text. */
  private parseAt(at: number, json: string): number {
    const len = this.write(at, json);
    this.x.opa_heap_ptr_set(at + len);
    const value = this.x.opa_json_parse(at, len);
    if (value === 0) throw new PolicyEvalError('the wasm could not parse the input');
    return value;
  }

  /** UTF-8 of `s` at `at`, growing the memory first if it might not fit; returns the byte length. */
  private write(at: number, s: string): number {
    const need = at + s.length * 3 + 16;
    if (need > this.mem.buffer.byteLength) this.mem.grow(Math.ceil((need - this.mem.buffer.byteLength) / PAGE));
    const { written } = encoder.encodeInto(s, this.bytes().subarray(at));
    return written;
  }

  /**
   * Like readJson, but remembers parsed results by their text: decisions
   * repeat a handful of shapes, and JSON.parse is a tenth of a decision.
   * The results are frozen (shared between calls); at most 512 are kept.
   */
  private readResult(addr: number): unknown {
    const bytes = this.bytes();
    const end = bytes.indexOf(0, addr);
    const text = this.text.toString('utf8', addr, end);
    let result = this.results.get(text);
    if (result === undefined) {
      if (this.results.size >= 512) this.results.clear();
      result = deepFreeze(JSON.parse(text));
      this.results.set(text, result);
    }
    return result;
  }

  private readonly results = new Map<string, unknown>();

  private readJson(addr: number): unknown {
    const bytes = this.bytes();
    const end = bytes.indexOf(0, addr);
    return JSON.parse(this.text.toString('utf8', addr, end));
  }

  /** Views of the memory; a grown memory has a new buffer and detaches the old one. */
  private bytes(): Uint8Array {
    if (this.view.buffer !== this.mem.buffer) {
      this.view = new Uint8Array(this.mem.buffer);
      this.text = Buffer.from(this.mem.buffer);
    }
    return this.view;
  }
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}
