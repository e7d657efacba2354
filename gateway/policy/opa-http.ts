// Deciding by asking an OPA server over HTTP for every request — the usual
// sidecar design (`opa run --server` with the same policies/), selected by
// GATEWAY_DECISION_ENGINE=opa-http and OPA_URL. It exists so the benchmark can
// compare the embedded wasm with it on the same gateway; the wasm engine is
// the default and the recommendation. The client is as fast as Node offers
// (undici pool, keep-alive), so the comparison does not favour the wasm.
// Failures and non-200 answers throw: the gate answers 503, never allows.
import { Pool } from 'undici';
import type { DecisionResult } from '../../core/policy/types.ts';
import { decisionInput, type Decider, type DecisionQuery } from './decider.ts';

export class OpaHttpDecider implements Decider {
  private readonly pool: Pool;

  constructor(url: string, connections = 64) {
    this.pool = new Pool(url, { connections, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: 2000, bodyTimeout: 2000 });
  }

  async decide(query: DecisionQuery): Promise<DecisionResult> {
    const input = decisionInput(query);
    const res = await this.pool.request({
      method: 'POST',
      path: '/v1/data/authz/decision',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ input }),
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`OPA answered ${res.statusCode}`);
    }
    const { result } = (await res.body.json()) as { result?: DecisionResult };
    if (result === undefined || result === null || typeof result !== 'object') throw new Error('OPA returned no decision');
    return { ...result, allow: result.allow === true };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
