// When a control plane's transaction COMMITs, as seen by a TCP relay in front
// of PostgreSQL (test/support/tcp-proxy.ts): the moment the server's answer
// to COMMIT passes the relay. The guarantee under test is "enforced within
// 100 ms of COMMIT", so the oracle (oracle.ts) judges a revocation from this
// moment, not from the admin's HTTP answer, which comes later by however long
// the control plane takes after commit (its Redis announcement, for one).
//
// A transaction is recognised by what its client sent: every pattern (say,
// the record's id and the audit action, both written in the revocation's
// transaction) must have passed on one connection since that connection was
// last idle. The PostgreSQL wire protocol is read only as far as needed:
// the client waits for ReadyForQuery before its next query, so a connection's
// chunks between two idle ReadyForQuery messages are one transaction (or one
// statement outside any).
import { performance } from 'node:perf_hooks';
import { testEnv } from '../env.ts';
import { startTcpProxy, type TcpProxy } from '../tcp-proxy.ts';

/** CommandComplete for COMMIT: 'C', length 11, "COMMIT\0". */
// eslint-disable-next-line no-control-regex -- a binary protocol message
const COMMIT_DONE = /C\x00\x00\x00\x0bCOMMIT\x00/;
/** ReadyForQuery, status idle (no transaction open): 'Z', length 5, 'I'. */
// eslint-disable-next-line no-control-regex -- a binary protocol message
const READY_IDLE = /Z\x00\x00\x00\x05I/;

interface Watch {
  patterns: RegExp[];
  /** Per connection, which patterns its current transaction has sent. */
  seen: Map<object, Set<number>>;
  done: (at: number) => void;
}

export interface CommitClock {
  /**
   * Resolves with performance.now() when the first transaction that sends
   * every one of `patterns` is seen committed. Call it before the request
   * that makes the transaction.
   */
  commitOf: (patterns: RegExp[]) => Promise<number>;
  /** Stops watching the relay. */
  stop: () => void;
}

export function commitClock(relay: TcpProxy): CommitClock {
  const watches = new Set<Watch>();
  const stop = relay.observe((chunk, from, connection) => {
    if (watches.size === 0) return;
    const text = chunk.toString('latin1');
    for (const w of watches) {
      if (from === 'client') {
        w.patterns.forEach((p, i) => {
          if (!p.test(text)) return;
          const seen = w.seen.get(connection) ?? new Set<number>();
          w.seen.set(connection, seen.add(i));
        });
        continue;
      }
      if (COMMIT_DONE.test(text) && w.seen.get(connection)?.size === w.patterns.length) {
        watches.delete(w);
        w.done(performance.now());
      } else if (READY_IDLE.test(text)) {
        // A transaction ended (committed, rolled back) or a lone statement ran: start afresh.
        w.seen.delete(connection);
      }
    }
  });
  return {
    commitOf: (patterns) => new Promise<number>((done) => watches.add({ patterns, seen: new Map(), done })),
    stop,
  };
}

/** A pattern matching `text` literally. */
export const literally = (text: string) => new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

export interface TimedDatabase {
  /** DATABASE_URL for the control planes whose COMMITs are timed. */
  url: string;
  commits: CommitClock;
  stop: () => Promise<void>;
}

/** A relay in front of this run's PostgreSQL, with a commit clock on it. */
export async function timedDatabase(): Promise<TimedDatabase> {
  const url = new URL(testEnv()['DATABASE_URL']!);
  const relay = await startTcpProxy(url.hostname, Number(url.port || 5432));
  const commits = commitClock(relay);
  url.hostname = '127.0.0.1';
  url.port = String(relay.port);
  return {
    url: url.toString(),
    commits,
    stop: async () => {
      commits.stop();
      await relay.stop();
    },
  };
}
