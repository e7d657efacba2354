// The decision log's counters in the gateway's registry: plain numbers
// incremented in place (the queue's hot-path side touches only `queued` and
// `dropped`) and handed to prom-client when /metrics is scraped.
import { Counter, Gauge, type Registry } from 'prom-client';

export class DecisionLogCounters {
  /** Handed over by the gate. */
  queued = 0;
  /** Written to stdout. */
  written = 0;
  /** Accepted by the decision-log service. */
  uploaded = 0;
  /** Lost to a full queue or buffer (never waited for). */
  dropped = 0;
  uploadFailures = 0;
  /** Serialised events waiting for upload (the bounded buffer). */
  bufferedBytes = 0;

  register(registry: Registry): void {
    const read = () => this;
    new Counter({
      name: 'gateway_decision_log_events_total',
      help: 'Decision-log events by outcome: queued by the gate, written to stdout, uploaded, dropped (queue or buffer full)',
      labelNames: ['outcome'] as const,
      registers: [registry],
      collect() {
        const c = read();
        this.reset();
        this.inc({ outcome: 'queued' }, c.queued);
        this.inc({ outcome: 'written' }, c.written);
        this.inc({ outcome: 'uploaded' }, c.uploaded);
        this.inc({ outcome: 'dropped' }, c.dropped);
      },
    });
    new Counter({
      name: 'gateway_decision_log_upload_failures_total',
      help: 'Decision-log uploads that failed (error, timeout or non-2xx answer) and will be retried',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read().uploadFailures);
      },
    });
    new Gauge({
      name: 'gateway_decision_log_buffer_bytes',
      help: 'Serialised decision-log events waiting for upload',
      registers: [registry],
      collect() {
        this.set(read().bufferedBytes);
      },
    });
  }
}
