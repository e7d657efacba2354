// The services of the approval tests, all real: a recording upstream, a
// control plane and a gateway reading the same route table (the control
// plane sends approved requests to the route's upstream), PostgreSQL, Redis.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type RunningControlPlane } from './control-plane.ts';
import { startGateway, type RunningGateway } from './gateway.ts';
import { client } from './http.ts';
import { startUpstream, type RunningUpstream } from './upstream.ts';

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

/** Requests the upstream received under `prefix`. */
export const receivedUnder = (upstream: RunningUpstream, prefix: string) => upstream.received.filter((r) => r.url.startsWith(prefix));

export { client };
