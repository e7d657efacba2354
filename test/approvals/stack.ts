// The services of the approval tests, all real: a recording upstream, a
// control plane and a gateway reading the same route table (the control
// plane sends approved requests to the route's upstream), PostgreSQL, Redis.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane.ts';
import { startGateway, type RunningGateway } from '../support/gateway.ts';
import { client, type Reply } from '../support/http.ts';
import { startUpstream, type RunningUpstream } from '../support/upstream.ts';

export interface ApprovalStack {
  cp: RunningControlPlane;
  gw: RunningGateway;
  upstream: RunningUpstream;
  close: () => Promise<void>;
}

const TABLE = 'test/support/routes.test.yaml';
const TABLE_UPSTREAM = 'http://127.0.0.1:4001';

export async function startApprovalStack(env: Record<string, string> = {}): Promise<ApprovalStack> {
  const upstream = await startUpstream();
  const dir = await mkdtemp(join(tmpdir(), 'iam-approvals-'));
  const routes = join(dir, 'routes.yaml');
  await writeFile(routes, (await readFile(TABLE, 'utf8')).replaceAll(TABLE_UPSTREAM, upstream.url.replace(/\/$/, '')));
  const cp = await startControlPlane({ GATEWAY_ROUTES: routes, ...env });
  const gw = await startGateway({ routes, env: { CONTROL_PLANE_URL: cp.url, ...env } });
  return {
    cp,
    gw,
    upstream,
    close: async () => {
      await gw.close();
      await cp.close();
      await upstream.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function expectStatus(res: Pick<Reply, 'status' | 'body'>, status: number, code?: string): void {
  const detail = JSON.stringify(res.body);
  expect(res.status, detail).toBe(status);
  if (code) expect(res.body?.code, detail).toBe(code);
}

/** Requests the upstream received under `prefix`. */
export const receivedUnder = (upstream: RunningUpstream, prefix: string) => upstream.received.filter((r) => r.url.startsWith(prefix));

/** Audit events about one target, oldest first, straight from the table. */
export async function auditOf(cp: RunningControlPlane, targetId: string) {
  return cp.deps.orm.em.getConnection().execute<{ action: string; actor_id: string | null; before: any; after: any }[]>(
    'select action, actor_id, before, after from audit_events where target_id = ? order by created_at, id',
    [targetId],
  );
}

export { client };
