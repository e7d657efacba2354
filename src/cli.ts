// `npm run cli -- <command> [--flag value ...]`
//   tenant:create --id <id> --name <name> --admin-email <email>
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config/env.ts';
import { migrate } from './db/orm.ts';
import { closeControlPlaneDeps, createControlPlaneDeps } from './app/create-deps.ts';
import { bootstrapTenant } from './tenants/bootstrap.ts';

const usage = 'usage: npm run cli -- tenant:create --id <id> --name <name> --admin-email <email>';

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  if (command !== 'tenant:create') {
    console.error(usage);
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: { id: { type: 'string' }, name: { type: 'string' }, 'admin-email': { type: 'string' } },
    strict: true,
  });
  if (!values.id || !values.name || !values['admin-email']) {
    console.error(usage);
    return 2;
  }
  const deps = await createControlPlaneDeps(loadConfig());
  try {
    await migrate(deps.orm);
    const t = await bootstrapTenant(deps, { id: values.id, name: values.name, adminEmail: values['admin-email'] });
    console.log(`tenant ${t.tenant.id} created; Tenant Admin ${t.admin.email} invited`);
    console.log(`setup link (valid until ${t.invitation.expiresAt.toISOString()}):\n${t.invitation.link}`);
    return 0;
  } finally {
    await closeControlPlaneDeps(deps);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : (err as Error).message);
    process.exit(1);
  },
);
