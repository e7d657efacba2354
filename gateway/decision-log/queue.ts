// The decision log's hand-over point. On the request path the gate asks
// `wants(allow)` (sampling) and calls `record()` with a DecisionRecord of
// references: a push onto a bounded array, nothing built, nothing written.
// A timer (or setImmediate once a batch's worth waits) drains the queue in
// slices of `sliceSize` records per event-loop turn — so draining never holds
// the loop for long — assembling each event (event.ts) and handing the slice
// to the sink in one call. A full queue, or a sink that will not take more,
// drops the record and counts it: requests never wait for the log.
import type { DecisionRecord, EventAssembler } from './event.ts';
import type { DecisionLogCounters } from './metrics.ts';
import type { DecisionSink } from './sink-stdout.ts';

export interface DecisionQueueOptions {
  /** Share of allows kept (DECISION_LOG_SAMPLE); denies always are. */
  sample: number;
  /** Records waiting for serialisation before new ones are dropped. */
  maxQueued?: number;
  /** Longest time a record waits before its batch is drained. */
  flushMs?: number;
  /** Records serialised per event-loop turn. */
  sliceSize?: number;
  /** How long shutdown waits for the sink to deliver what is left. */
  closeMs?: number;
}

export class DecisionLog {
  private queue: DecisionRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private readonly sample: number;
  private readonly maxQueued: number;
  private readonly flushMs: number;
  private readonly sliceSize: number;
  private readonly closeMs: number;

  constructor(
    private readonly assembler: EventAssembler,
    private readonly sink: DecisionSink | null,
    readonly counters: DecisionLogCounters,
    o: DecisionQueueOptions,
  ) {
    this.sample = o.sample;
    this.maxQueued = o.maxQueued ?? 10_000;
    this.flushMs = o.flushMs ?? 25;
    this.sliceSize = o.sliceSize ?? 128;
    this.closeMs = o.closeMs ?? 5000;
    sink?.onReady(() => this.drainSoon());
  }

  /** Whether this decision gets an event; ask before building the record. */
  wants(allow: boolean): boolean {
    if (this.sink === null) return false;
    return !allow || this.sample >= 1 || (this.sample > 0 && Math.random() < this.sample);
  }

  record(r: DecisionRecord): void {
    const q = this.queue;
    if (q.length >= this.maxQueued) {
      this.counters.dropped++;
      return;
    }
    q.push(r);
    this.counters.queued++;
    if (q.length >= this.sliceSize) this.drainSoon();
    else if (this.timer === null && this.immediate === null) {
      this.timer = setTimeout(this.onTimer, this.flushMs);
      this.timer.unref();
    }
  }

  private readonly onTimer = () => {
    this.timer = null;
    this.drain();
  };

  private drainSoon(): void {
    if (this.immediate === null) this.immediate = setImmediate(this.onImmediate);
  }

  private readonly onImmediate = () => {
    this.immediate = null;
    this.drain();
  };

  /** One slice; schedules the next turn when more waits. */
  private drain(): void {
    const sink = this.sink;
    if (sink === null || !sink.ready || this.queue.length === 0) return;
    const slice = this.queue.length <= this.sliceSize ? this.queue : this.queue.splice(0, this.sliceSize);
    if (slice === this.queue) this.queue = [];
    const events = slice.map((r) => this.assembler.event(r));
    this.counters.dropped += events.length - sink.accept(events);
    if (this.queue.length > 0) this.drainSoon();
  }

  /** Shutdown: serialise what is queued and let the sink deliver it within `deadlineMs`. */
  async close(deadlineMs = this.closeMs): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    if (this.sink === null) return;
    const deadline = Date.now() + deadlineMs;
    while (this.queue.length > 0 && Date.now() < deadline) {
      if (!this.sink.ready) await new Promise((r) => setTimeout(r, 10));
      else this.drain();
    }
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.counters.dropped += this.queue.length;
    this.queue = [];
    await this.sink.close(Math.max(0, deadline - Date.now()));
  }
}
