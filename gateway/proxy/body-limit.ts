// The gateway streams bodies without reading them; this only counts. A body
// that declares a length above the limit is refused before a byte is read; a
// chunked one is cut where it crosses the limit, so the upstream never gets
// it whole (OWASP API Security Top 10 2023 API4).
import { Transform, type TransformCallback } from 'node:stream';

export class BodyTooLarge extends Error {
  override name = 'BodyTooLarge';
  readonly statusCode = 413;
  readonly code = 'FST_ERR_CTP_BODY_TOO_LARGE';

  constructor(limit: number) {
    super(`request body is larger than ${limit} bytes`);
  }
}

export const bodyTooLarge = (limit: number) => new BodyTooLarge(limit);

/** `payload` passed through, failing with BodyTooLarge once more than `limit` bytes went by. */
export function capped(payload: NodeJS.ReadableStream, limit: number): Transform {
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) return done(new BodyTooLarge(limit));
      done(null, chunk);
    },
  });
  payload.on('error', (err) => counter.destroy(err));
  return payload.pipe(counter);
}
