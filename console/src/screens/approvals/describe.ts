import type { Approval } from '../../api/types';

/** A one-line name for a held request: "POST /orders/o-1/refunds" or the control-plane action. */
export function describeRequest(a: Approval): string {
  const r = a.request as Record<string, unknown>;
  if (a.kind === 'GATEWAY' && typeof r.method === 'string' && typeof r.path === 'string') return `${r.method} ${r.path}`;
  if (typeof r.action === 'string') return r.action;
  return `${a.module} request`;
}
