// The stdout sink writes a batch in several writes of about 32 KB (cheaper
// than one large string, bench/decision-log-drain.ts): every event still
// arrives once, whole, on its own line, in order.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StdoutSink } from '../../gateway/decision-log/sink-stdout.ts';

function capture() {
  const writes: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      writes.push(chunk.toString());
      done();
    },
  });
  return { out, writes };
}

const counters = () => ({ queued: 0, written: 0, uploaded: 0, dropped: 0, uploadFailures: 0 });

describe('stdout decision sink', () => {
  it('splits a large batch into writes of about 32 KB, each ending a line, with every event once and in order', () => {
    const { out, writes } = capture();
    const c = counters();
    const sink = new StdoutSink(out, c as never);
    const events = Array.from({ length: 128 }, (_, i) => JSON.stringify({ decision_id: `d${i}`, pad: 'x'.repeat(2000) }));
    expect(sink.accept(events)).toBe(128);
    expect(writes.length).toBeGreaterThan(4);
    for (const w of writes) {
      expect(w.endsWith('\n')).toBe(true);
      expect(w.length).toBeLessThan(40 * 1024);
    }
    const lines = writes.join('').split('\n').filter(Boolean);
    expect(lines.map((l) => (JSON.parse(l) as { decision_id: string }).decision_id)).toEqual(events.map((_, i) => `d${i}`));
    expect(c.written).toBe(128);
  });

  it('writes a small batch in one write', () => {
    const { out, writes } = capture();
    const sink = new StdoutSink(out, counters() as never);
    sink.accept(['{"a":1}', '{"a":2}']);
    expect(writes).toEqual(['{"a":1}\n{"a":2}\n']);
  });
});
