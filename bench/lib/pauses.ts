// In-process pauses of a server under test (bench-only; its /__bench/pauses
// routes): event-loop delay (perf_hooks.monitorEventLoopDelay: how late a
// timer due every 1 ms ran, i.e. how long a request arriving then waited for
// the loop) and garbage-collection pauses (PerformanceObserver 'gc'). They
// explain a client-side p99 that the gate's own stage timings do not.
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';

export interface Pauses {
  loopDelayMs: { p50: number; p99: number; p999: number; max: number };
  gc: { count: number; totalMs: number; maxMs: number; over1Ms: number };
}

export class PauseMonitor {
  private loop: IntervalHistogram | null = null;
  private observer: PerformanceObserver | null = null;
  private gc = { count: 0, totalMs: 0, maxMs: 0, over1Ms: 0 };

  start(): void {
    this.stop();
    this.gc = { count: 0, totalMs: 0, maxMs: 0, over1Ms: 0 };
    this.loop = monitorEventLoopDelay({ resolution: 1 });
    this.loop.enable();
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        this.gc.count++;
        this.gc.totalMs += e.duration;
        if (e.duration > this.gc.maxMs) this.gc.maxMs = e.duration;
        if (e.duration > 1) this.gc.over1Ms++;
      }
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    this.loop?.disable();
    this.observer?.disconnect();
    this.observer = null;
  }

  snapshot(): Pauses | null {
    const h = this.loop;
    if (h === null) return null;
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    return {
      // The monitor's own 1 ms resolution is subtracted: a loop that is never late reads ~0.
      loopDelayMs: { p50: ms(Math.max(0, h.percentile(50) - 1e6)), p99: ms(Math.max(0, h.percentile(99) - 1e6)), p999: ms(Math.max(0, h.percentile(99.9) - 1e6)), max: ms(Math.max(0, h.max - 1e6)) },
      gc: { count: this.gc.count, totalMs: Math.round(this.gc.totalMs * 10) / 10, maxMs: Math.round(this.gc.maxMs * 10) / 10, over1Ms: this.gc.over1Ms },
    };
  }
}

/** The /__bench/pauses routes on a Fastify app: POST on (fresh) and off, GET the snapshot. */
export function pauseRoutes(app: { get: (path: string, h: () => Promise<unknown>) => unknown; post: (path: string, h: () => Promise<unknown>) => unknown }): void {
  const monitor = new PauseMonitor();
  app.post('/__bench/pauses/on', async () => (monitor.start(), { on: true }));
  app.post('/__bench/pauses/off', async () => (monitor.stop(), { on: false }));
  app.get('/__bench/pauses', async () => monitor.snapshot());
}
