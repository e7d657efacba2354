// The gateway's end of the PostgreSQL change feed (core/changes/feed.ts): one
// dedicated session that LISTENs. Within one session PostgreSQL delivers
// every notification of every committed transaction, in commit order, and
// none of a rolled-back one; so a change can only be missed across a session
// boundary, or while the session is silently dead. Both are seen here:
// - a new session (after any error, end or timeout) reports live only once
//   its LISTEN has returned; the subscriber then flushes, so whatever
//   committed before is read afresh and whatever commits after is heard;
// - every 200 ms the session notifies a channel only it listens to and must
//   hear itself within 400 ms (a round trip through the same queue and socket
//   the changes travel), else it is dropped and reconnected. So a feed that
//   stopped delivering is declared dead within 600 ms, inside the 1 s bound
//   of docs/architecture.md#the-change-feed.
// The session must be a direct one: LISTEN does not survive a
// transaction-pooling proxy (PgBouncer in transaction mode).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { FEED_CHANNEL, parseFeedPayload } from '../../core/changes/feed.ts';
import type { AuthzChange } from '../../core/changes/authz-changes.ts';

export interface ChangeFeedOptions {
  /** How often the session notifies itself. */
  heartbeatMs?: number;
  /** A heartbeat not heard back within this drops the session. */
  heartbeatTimeoutMs?: number;
}

export interface ChangeFeedEvents {
  /** A committed change, or 'flush' when a notification names everything (or cannot be read). */
  change: (change: AuthzChange | 'flush') => void;
  /** The feed went live (LISTEN confirmed) or dead; `why` is for the log. */
  status: (live: boolean, why: string) => void;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 1000;

export class PostgresChangeFeed {
  private client: pg.Client | null = null;
  private listening = false;
  private closed = false;
  private attempts = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  /** The heartbeat awaited: its payload and the timer that gives up on it. */
  private awaiting: { token: string; late: NodeJS.Timeout } | null = null;
  private beats = 0;
  /** A channel no other session listens to, so heartbeats cost nobody else anything. */
  private readonly heartbeatChannel = `authz_feed_hb_${randomBytes(8).toString('hex')}`;
  private readonly heartbeatMs: number;
  private readonly heartbeatTimeoutMs: number;

  constructor(
    private readonly databaseUrl: string,
    private readonly on: ChangeFeedEvents,
    opts: ChangeFeedOptions = {},
  ) {
    this.heartbeatMs = opts.heartbeatMs ?? 200;
    this.heartbeatTimeoutMs = opts.heartbeatTimeoutMs ?? 400;
  }

  get live(): boolean {
    return this.listening && !this.closed;
  }

  start(): void {
    this.heartbeat = setInterval(() => this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
    void this.connect();
  }

  close(): void {
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.client) this.drop(this.client, 'closed');
  }

  private async connect(): Promise<void> {
    this.reconnectTimer = null;
    if (this.closed) return;
    const client = new pg.Client({
      connectionString: this.databaseUrl,
      connectionTimeoutMillis: 2000,
      // A LISTEN stuck on a path that stopped answering must fail too (then reconnect).
      query_timeout: 2000,
      keepAlive: true,
      application_name: 'gateway-authz-feed',
    });
    this.client = client;
    client.on('error', () => this.drop(client, 'connection error'));
    client.on('end', () => this.drop(client, 'connection ended'));
    client.on('notification', (n) => this.receive(client, n));
    try {
      await client.connect();
      await client.query(`LISTEN ${FEED_CHANNEL}; LISTEN ${this.heartbeatChannel}`);
    } catch {
      this.drop(client, 'could not connect and LISTEN');
      return;
    }
    if (this.client !== client || this.closed) return;
    this.attempts = 0;
    this.listening = true;
    this.on.status(true, 'LISTEN confirmed');
  }

  private receive(client: pg.Client, n: pg.Notification): void {
    if (client !== this.client) return;
    if (n.channel === this.heartbeatChannel) {
      if (this.awaiting && n.payload === this.awaiting.token) {
        clearTimeout(this.awaiting.late);
        this.awaiting = null;
      }
      return;
    }
    if (n.channel === FEED_CHANNEL && this.listening) this.on.change(parseFeedPayload(n.payload));
  }

  /** One self-notification at a time; not heard back in time, the session is dropped. */
  private beat(): void {
    const client = this.client;
    if (!client || !this.listening || this.awaiting) return;
    const token = String(++this.beats);
    const late = setTimeout(() => this.drop(client, `heartbeat not heard within ${this.heartbeatTimeoutMs} ms`), this.heartbeatTimeoutMs);
    late.unref();
    this.awaiting = { token, late };
    client.query('select pg_notify($1, $2)', [this.heartbeatChannel, token]).catch(() => this.drop(client, 'heartbeat failed'));
  }

  /** Forgets `client` (once), reports the feed dead, and reconnects with a short backoff. */
  private drop(client: pg.Client, why: string): void {
    if (client !== this.client) return;
    this.client = null;
    if (this.awaiting) clearTimeout(this.awaiting.late);
    this.awaiting = null;
    const wasLive = this.listening;
    this.listening = false;
    // A stalled socket would never finish a polite end(): destroy it.
    client.removeAllListeners('notification');
    client.on('error', () => {});
    (client as unknown as { connection?: { stream?: { destroy: () => void } } }).connection?.stream?.destroy();
    client.end().catch(() => {});
    if (wasLive) this.on.status(false, why);
    if (this.closed) return;
    const delay = Math.min(RECONNECT_MIN_MS * 2 ** this.attempts++, RECONNECT_MAX_MS);
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
    this.reconnectTimer.unref();
  }
}
