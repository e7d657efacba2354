// Audit events straight from the table (no API, no scope filter): what a
// mutation really committed, or that a refused request committed nothing.
import type { RunningControlPlane } from './control-plane.ts';

/** Every event of a tenant, oldest first. */
export async function auditRows(cp: RunningControlPlane, tenantId: string) {
  return cp.deps.orm.em.getConnection().execute<{ action: string; target_id: string; request_id: string | null; client_request_id: string | null }[]>(
    'select action, target_id, request_id, client_request_id from audit_events where tenant_id = ? order by created_at, id',
    [tenantId],
  );
}

/** One audit event as the table holds it. */
export interface AuditEvent {
  tenant_id: string;
  target_type: string;
  target_id: string;
  action: string;
  actor_id: string | null;
  request_id: string | null;
  client_request_id: string | null;
  before: any;
  after: any;
}

/** Events about one target, oldest first. */
export async function auditOf(cp: RunningControlPlane, targetId: string): Promise<AuditEvent[]> {
  return cp.deps.orm.em.getConnection().execute<AuditEvent[]>(
    'select tenant_id, target_type, target_id, action, actor_id, request_id, client_request_id, before, after from audit_events where target_id = ? order by created_at, id',
    [targetId],
  );
}

/** Events written by the requests with these ids. */
export async function auditEventsOf(cp: RunningControlPlane, requestIds: string[]): Promise<{ client_request_id: string; action: string }[]> {
  if (requestIds.length === 0) return [];
  return cp.deps.orm.em
    .getConnection()
    // The x-request-id each request sent is kept as client_request_id (request_id is the server's).
    .execute('select client_request_id, action from audit_events where client_request_id in (?)', [requestIds]);
}
