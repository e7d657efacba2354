// OPA-compatible status reports (https://www.openpolicyagent.org/docs/management-status,
// v1/plugins/status): on each activation and each refusal the service POSTs
//
//   {"labels": {"id", "version", "service"},
//    "bundles": {"authz": {"name", "active_revision", "last_successful_activation",
//                          "last_successful_download", "last_request", "last_successful_request",
//                          "code"?, "message"?, "errors"?}}}
//
// to STATUS_URL, so the server that hands out bundles sees which revision each
// service runs and why one refused a bundle. Reports are sent one at a time,
// off any request path; while one is in flight only the newest state waits
// (an older one is stale). A failed report is logged, not retried: the next
// event sends the whole state again.
import type { Logger } from 'pino';
import type { ActivePolicy, BundleStatus } from './active-policy.ts';

export interface StatusReporterOptions {
  url: string;
  /** `labels.id`: one per service process. */
  instanceId: string;
  /** `labels.service`: gateway or control-plane. */
  service: string;
  token: string | null;
  timeoutMs: number;
  log: Logger;
}

export class StatusReporter {
  private sending = false;
  private next: BundleStatus | null = null;
  private idle: Promise<void> = Promise.resolve();
  private off: (() => void) | null = null;

  constructor(private readonly o: StatusReporterOptions) {}

  /** Reports the state now and after every activation or refusal of `active`. */
  follow(active: ActivePolicy): void {
    this.off = active.on((_e, s) => this.report(s));
    this.report(active.status);
  }

  report(s: BundleStatus): void {
    this.next = { ...s };
    if (!this.sending) this.idle = this.drain();
  }

  /** Resolves when nothing is waiting to be sent (tests, shutdown). */
  async flushed(): Promise<void> {
    await this.idle;
  }

  close(): void {
    this.off?.();
    this.next = null;
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.next !== null) {
        const s = this.next;
        this.next = null;
        await this.send(s);
      }
    } finally {
      this.sending = false;
    }
  }

  private async send(s: BundleStatus): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.o.token !== null) headers.authorization = `Bearer ${this.o.token}`;
    try {
      const res = await fetch(this.o.url, {
        method: 'POST', headers, body: JSON.stringify(statusReport(s, this.o)), signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      await res.body?.cancel();
      if (!res.ok) this.o.log.warn({ status: res.status }, 'status report refused by the status service');
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'status report failed');
    }
  }
}

const iso = (d: Date | null) => (d === null ? undefined : d.toISOString());

/** OPA's status shape for one bundle named `s.name`. */
export function statusReport(s: BundleStatus, o: Pick<StatusReporterOptions, 'instanceId' | 'service'>): Record<string, unknown> {
  const bundle: Record<string, unknown> = {
    name: s.name,
    active_revision: s.revision,
    last_successful_activation: s.activatedAt.toISOString(),
    last_successful_download: iso(s.lastSuccessfulDownload),
    last_request: iso(s.lastRequest),
    last_successful_request: iso(s.lastSuccessfulRequest),
    type: 'snapshot',
  };
  if (s.lastError !== null) {
    bundle.code = 'bundle_error';
    bundle.message = s.lastError.message;
    bundle.errors = [{ code: `bundle_${s.lastError.reason}_error`, message: s.lastError.message }];
  }
  return { labels: { id: o.instanceId, version: 'tenant-iam', service: o.service }, bundles: { [s.name]: bundle } };
}
