// One structured line per decision: decision id, bundle revision, the policy
// input (it never holds the token or any secret, only ids, status and the
// role's ACL), the result and the latency. DECISION_LOG_SAMPLE is the share
// of allows logged; denies are always logged, they are what an audit asks for.
import type { Logger } from 'pino';
import type { DecisionInput, DecisionResult } from '../../core/policy/types.ts';

export interface DecisionEntry {
  decisionId: string;
  revision: string;
  method: string;
  path: string;
  input: DecisionInput;
  result: DecisionResult;
  /** Reused from an identical earlier input (decision-memo.ts) rather than evaluated now. */
  memo: boolean;
  latencyUs: number;
}

export class DecisionLog {
  constructor(
    private readonly log: Logger,
    private readonly sample: number,
  ) {}

  /** Whether this decision gets a line; ask before building the entry. */
  wants(allow: boolean): boolean {
    if (!this.log.isLevelEnabled('info')) return false;
    return !allow || this.sample >= 1 || (this.sample > 0 && Math.random() < this.sample);
  }

  record(e: DecisionEntry): void {
    this.log.info(
      {
        decisionId: e.decisionId,
        revision: e.revision,
        method: e.method,
        path: e.path,
        input: e.input,
        result: { allow: e.result.allow, reasons: e.result.reasons },
        memo: e.memo,
        latencyUs: e.latencyUs,
      },
      e.result.allow ? 'allow' : 'deny',
    );
  }
}
