// Uploads to an OPA-compatible decision-log service (DECISION_LOG_URL): POST
// of a gzip-compressed JSON array of events (`Content-Encoding: gzip`,
// `Content-Type: application/json`), as OPA's decision-log plugin sends them.
// One upload at a time, each at most `batchBytes` of uncompressed JSON; a
// batch that fails (network error, timeout, non-2xx) stays at the head of the
// buffer and is retried after an exponential backoff with full jitter, so a
// fleet of gateways does not hammer a recovering service in step. The buffer
// (events not yet acknowledged, the in-flight batch included) is bounded in
// bytes; past the bound new events are dropped and counted — the requests
// that produced them never wait for the service.
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { DecisionLogCounters } from './metrics.ts';
import type { DecisionSink } from './sink-stdout.ts';

const gzip = promisify(gzipCb);

export interface HttpSinkOptions {
  url: string;
  /** Largest uncompressed batch per upload (a single larger event still goes alone). */
  batchBytes: number;
  /** Bound on events held (queued for upload, in flight or waiting for a retry). */
  bufferBytes: number;
  /** Longest wait before a partial batch is sent. */
  flushMs?: number;
  /** Upload timeout: a service that does not answer counts as failed. */
  timeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  onError?: (message: string) => void;
}

export class HttpSink implements DecisionSink {
  readonly ready = true;
  private buffer: string[] = [];
  /** Bytes of `buffer` (UTF-16 length as an estimate: events are ASCII but for names). */
  private bytes = 0;
  private inFlight: Promise<void> | null = null;
  private abort: AbortController | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failures = 0;
  private closing = false;
  private readonly flushMs: number;
  private readonly timeoutMs: number;
  private readonly baseMs: number;
  private readonly maxMs: number;

  constructor(private readonly o: HttpSinkOptions, private readonly counters: DecisionLogCounters) {
    this.flushMs = o.flushMs ?? 1000;
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.baseMs = o.backoffBaseMs ?? 250;
    this.maxMs = o.backoffMaxMs ?? 30_000;
  }

  accept(events: string[]): number {
    let kept = 0;
    for (const e of events) {
      if (this.bytes + e.length > this.o.bufferBytes) break;
      this.buffer.push(e);
      this.bytes += e.length;
      kept++;
    }
    this.counters.bufferedBytes = this.bytes;
    this.schedule();
    return kept;
  }

  onReady(): void {
    // Always ready: the byte bound decides what is kept.
  }

  /** Starts an upload now if a full batch waits, else within flushMs (or after the backoff of a failure). */
  private schedule(delayMs?: number): void {
    if (this.inFlight !== null || this.buffer.length === 0) return;
    if (delayMs === undefined && (this.bytes >= this.o.batchBytes || this.closing)) {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      this.inFlight = this.upload();
      return;
    }
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.inFlight === null && this.buffer.length > 0) this.inFlight = this.upload();
    }, delayMs ?? this.flushMs);
    this.timer.unref();
  }

  private async upload(): Promise<void> {
    let n = 0;
    let size = 2;
    while (n < this.buffer.length && (n === 0 || size + this.buffer[n]!.length + 1 <= this.o.batchBytes)) size += this.buffer[n++]!.length + 1;
    const batch = this.buffer.slice(0, n);
    let delay: number | undefined;
    try {
      const body = await gzip(`[${batch.join(',')}]`);
      this.abort = new AbortController();
      const timer = setTimeout(() => this.abort?.abort(new Error(`no answer in ${this.timeoutMs} ms`)), this.timeoutMs);
      try {
        const res = await fetch(this.o.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
          body,
          signal: this.abort.signal,
        });
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) throw new Error(`the decision-log service answered ${res.status}`);
      } finally {
        clearTimeout(timer);
      }
      this.buffer.splice(0, n);
      for (const e of batch) this.bytes -= e.length;
      this.counters.uploaded += n;
      this.failures = 0;
    } catch (err) {
      this.counters.uploadFailures++;
      this.failures++;
      this.o.onError?.((err as Error).message);
      // Full jitter: anywhere between 0 and the exponential ceiling.
      delay = Math.random() * Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.failures - 1, 20));
    } finally {
      this.abort = null;
      this.counters.bufferedBytes = this.bytes;
      this.inFlight = null;
    }
    if (!this.closing) this.schedule(delay);
  }

  async close(deadlineMs: number): Promise<void> {
    this.closing = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const deadline = Date.now() + deadlineMs;
    // Uploads back to back (no backoff) until the buffer is empty or the deadline passes.
    while ((this.buffer.length > 0 || this.inFlight !== null) && Date.now() < deadline) {
      this.inFlight ??= this.upload();
      const left = deadline - Date.now();
      let t: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        this.inFlight.then(() => false),
        new Promise<boolean>((r) => (t = setTimeout(() => r(true), left))),
      ]);
      clearTimeout(t);
      if (timedOut) break;
    }
    this.abort?.abort(new Error('gateway shutting down'));
    await this.inFlight;
  }
}
