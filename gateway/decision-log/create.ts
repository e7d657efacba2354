// The decision log of one gateway from its configuration: the stdout sink
// (NDJSON, the default; on while LOG_LEVEL lets info lines through, as the
// decision line always was) or, with DECISION_LOG_URL, uploads to an
// OPA-compatible decision-log service (on whatever LOG_LEVEL says).
import { hostname } from 'node:os';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { GatewayConfig as Config } from '../config.ts';
import { EventAssembler } from './event.ts';
import { parseMasks } from './masking.ts';
import { DecisionLogCounters } from './metrics.ts';
import { DecisionLog, type DecisionQueueOptions } from './queue.ts';
import { HttpSink, type HttpSinkOptions } from './sink-http.ts';
import { StdoutSink, type DecisionSink } from './sink-stdout.ts';

export interface DecisionLogOptions {
  /** Where NDJSON goes (default process.stdout). */
  destination?: Writable;
  /** Instance id in `labels.id` (default `<host>:<pid>`: one per gateway process, cluster workers included). */
  instanceId?: string;
  queue?: Omit<DecisionQueueOptions, 'sample'>;
  upload?: Partial<Omit<HttpSinkOptions, 'url' | 'batchBytes' | 'bufferBytes'>>;
}

export function createDecisionLog(config: Config, log: Logger, registry: Registry, o: DecisionLogOptions = {}): DecisionLog {
  const counters = new DecisionLogCounters();
  counters.register(registry);
  const assembler = new EventAssembler(o.instanceId ?? `${hostname()}:${process.pid}`, parseMasks(config.DECISION_LOG_MASK));
  let sink: DecisionSink | null = null;
  if (config.DECISION_LOG_URL !== undefined) {
    let lastError = 0;
    sink = new HttpSink({
      url: config.DECISION_LOG_URL,
      batchBytes: config.DECISION_LOG_BATCH_BYTES,
      bufferBytes: config.DECISION_LOG_BUFFER_BYTES,
      // At most one line a minute about a failing service: the counter says how often.
      onError: (message) => {
        if (Date.now() - lastError < 60_000) return;
        lastError = Date.now();
        log.warn({ err: message }, 'decision-log upload failed; retrying with backoff');
      },
      ...o.upload,
    }, counters);
  } else if (log.isLevelEnabled('info')) {
    sink = new StdoutSink(o.destination ?? process.stdout, counters);
  }
  return new DecisionLog(assembler, sink, counters, { sample: config.DECISION_LOG_SAMPLE, ...o.queue });
}
