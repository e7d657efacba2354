// The one assertion every HTTP suite makes first: the status, and the error
// code when one is expected, with the body in the failure message.
import { expect } from 'vitest';
import type { Reply } from './http.ts';

export function expectStatus(res: Pick<Reply, 'status' | 'body'>, status: number, code?: string): void {
  const detail = JSON.stringify(res.body);
  expect(res.status, detail).toBe(status);
  if (code) expect(res.body?.code, detail).toBe(code);
}
