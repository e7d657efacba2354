// What the audit log keeps of an approval: what it is about, never the body.
// Both services write it: the gateway when it holds a request
// (gateway/approvals/hold.ts), the control plane at every later step.

export interface ApprovalFacts {
  kind: 'GATEWAY' | 'CONTROL_PLANE';
  module: string;
  merchantId: string | null;
  makerId: string;
  status: string;
  request: Record<string, unknown>;
  expiresAt: Date;
}

export function approvalAudit(a: ApprovalFacts): Record<string, unknown> {
  const r = a.request;
  const what = a.kind === 'GATEWAY' ? { method: r['method'], path: r['path'], route: r['route'] } : { action: r['action'], targetId: r['targetId'] };
  return { kind: a.kind, module: a.module, merchantId: a.merchantId, makerId: a.makerId, status: a.status, ...what, expiresAt: a.expiresAt.toISOString() };
}
