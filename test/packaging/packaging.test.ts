// What a deployment runs, checked here without a Docker engine: the compose
// file and the Dockerfile are parsed and held to the packaging rules, and the
// output of `npm run build` is started the way the image starts it (`node
// --enable-source-maps dist/...`) against this run's PostgreSQL and Redis.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { parse } from 'yaml';
import { freePort } from '../support/redis-server.ts';
import { testEnv } from '../support/env.ts';
import { baseProperties } from '../../core/config/base.ts';

interface ComposeService {
  build?: unknown;
  image?: string;
  command?: string[];
  restart?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const appServices = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

/** The Dockerfile as instructions (continuation lines joined, comments dropped), grouped by stage. */
function dockerfileStages(text: string): { from: string; name: string | null; lines: string[] }[] {
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const args = new Map<string, string>();
  const stages: { from: string; name: string | null; lines: string[] }[] = [];
  for (const line of instructions) {
    const arg = /^ARG (\w+)=(\S+)$/.exec(line);
    if (arg && stages.length === 0) args.set(arg[1]!, arg[2]!);
    const from = /^FROM (\S+)(?: AS (\S+))?$/i.exec(line);
    if (from) {
      const image = from[1]!.replace(/\$\{(\w+)\}/g, (_, n: string) => args.get(n) ?? '');
      stages.push({ from: image, name: from[2] ?? null, lines: [] });
    } else stages.at(-1)?.lines.push(line);
  }
  return stages;
}
const stages = dockerfileStages(readFileSync('Dockerfile', 'utf8'));
const runtime = stages.at(-1)!;
const instruction = (name: string) => runtime.lines.filter((l) => l.startsWith(`${name} `));

/** `node --enable-source-maps dist/x.js` → `dist/x.js`. */
const scriptOf = (command: string[]) => command.find((a) => a.startsWith('dist/'));

describe('docker-compose.yml', () => {
  it('runs every service of the image as node on compiled JavaScript, never through npm, npx, a shell or tsx', () => {
    expect(appServices.map(([name]) => name).sort()).toEqual(['control-plane', 'demo-upstream', 'gateway', 'migrate', 'seed-demo']);
    for (const [name, service] of appServices) {
      expect(service.command?.[0], name).toBe('node');
      expect(service.command, name).toContain('--enable-source-maps');
      expect(scriptOf(service.command ?? []), name).toMatch(/^dist\/.+\.js$/);
      expect(service.command?.join(' '), name).not.toMatch(/\b(npm|npx|tsx|sh)\b|\.ts\b/);
    }
  });

  it('migrates once, in a one-shot service the control plane and the gateway wait for', () => {
    const migrate = compose.services['migrate']!;
    expect(scriptOf(migrate.command!)).toBe('dist/src/db/migrate.js');
    expect(migrate.restart).toBe('no');
    expect(migrate.depends_on?.['postgres']?.condition).toBe('service_healthy');
    for (const name of ['control-plane', 'gateway', 'seed-demo']) {
      expect(compose.services[name]!.depends_on?.['migrate']?.condition, name).toBe('service_completed_successfully');
    }
  });

  it('leaves migrating to the job: the control plane does not migrate on start', () => {
    expect(compose.services['control-plane']!.environment?.['MIGRATE_ON_START']).toBe('false');
  });

  it('takes the keys from .env (compose refuses to start without them) and health-checks the long-running services', () => {
    for (const name of ['migrate', 'seed-demo', 'control-plane', 'gateway']) {
      const env = compose.services[name]!.environment ?? {};
      expect(env['JWT_PRIVATE_KEY'], name).toMatch(/^\$\{JWT_PRIVATE_KEY:\?/);
      expect(env['TOTP_ENCRYPTION_KEY'], name).toMatch(/^\$\{TOTP_ENCRYPTION_KEY:\?/);
    }
    for (const name of ['control-plane', 'gateway', 'demo-upstream']) {
      expect(compose.services[name]!.healthcheck?.test?.[0], name).toBe('CMD');
    }
  });
});

describe('Dockerfile', () => {
  it('runs on Node 24 as a non-root user, with NODE_ENV=production, a HEALTHCHECK and node as PID 1', () => {
    expect(runtime.from).toMatch(/^node:24[.-]/);
    const user = instruction('USER').at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
    expect(instruction('ENV').join(' ')).toMatch(/\bNODE_ENV=production\b/);
    expect(instruction('HEALTHCHECK')).toHaveLength(1);
    const cmd = JSON.parse(instruction('CMD').at(-1)!.slice('CMD '.length)) as string[];
    expect(cmd[0]).toBe('node');
    expect(scriptOf(cmd)).toBe('dist/src/server.js');
    expect(runtime.lines.some((l) => l.startsWith('ENTRYPOINT '))).toBe(false);
  });

  it('builds in stages: OPA and the policy bundle apart, production dependencies only in the runtime, no sources or compiler', () => {
    const byName = new Map(stages.map((s) => [s.name, s]));
    expect(byName.get('opa')?.lines.join(' ')).toMatch(/go install "?github\.com\/open-policy-agent\/opa@\$\{OPA_VERSION\}/);
    expect(byName.get('policy')?.lines.join(' ')).toMatch(/scripts\/build-policy\.sh/);
    const copiesFrom = (stage: string) => instruction('COPY').filter((l) => l.includes(`--from=${stage} `));
    expect(copiesFrom('opa')).toEqual([]);
    expect(copiesFrom('policy').join(' ')).toMatch(/build\/policy/);
    expect(copiesFrom('build').join(' ')).toMatch(/\/app\/dist dist/);
    const depsStage = copiesFrom('prod-deps')[0];
    expect(depsStage).toMatch(/node_modules/);
    expect(byName.get('prod-deps')?.lines.join(' ')).toMatch(/npm ci --omit=dev/);
    // Nothing but the package manifest and route tables comes from the context into the runtime.
    const fromContext = instruction('COPY').filter((l) => !l.includes('--from='));
    expect(fromContext.join('\n')).not.toMatch(/COPY \. |src|core|tsconfig/);
  });

  it('lets the runtime user write the default bundle cache folder (POLICY_BUNDLE_CACHE_DIR)', () => {
    // A folder the app cannot write fails quietly (a bundle not persisted is a warning), so the image is held to it here.
    const user = instruction('USER').at(-1)!.slice('USER '.length).split(':')[0]!;
    const workdir = instruction('WORKDIR').at(-1)!.slice('WORKDIR '.length);
    const chowned = instruction('RUN')
      .flatMap((l) => [...l.matchAll(/chown -R (\S+) ([^&;|]+)/g)])
      .filter((m) => m[1]!.split(':')[0] === user)
      .flatMap((m) => m[2]!.trim().split(/\s+/).map((d) => posix.resolve(workdir, d)));
    const writable = (dir: string) => chowned.some((c) => dir === c || dir.startsWith(`${c}/`));
    const cache = baseProperties.POLICY_BUNDLE_CACHE_DIR.default;
    expect(writable(posix.resolve(workdir, cache)), `${cache} under a folder chowned to ${user} (${chowned.join(', ')})`).toBe(true);
  });

  it('keeps keys, local tools and built output out of the build context', () => {
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['node_modules', '.env', '.data', 'dist', 'build', '.tools', '.git']) expect(ignored, entry).toContain(entry);
  });
});

describe('npm run build, started as the image starts it', () => {
  // Inside the checkout (node_modules and package.json's "type" apply), apart from dist/.
  const out = `build/packaging-${randomBytes(4).toString('hex')}`;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    const build = spawn('bash', ['scripts/build.sh', '--no-policy', '--no-console', `--out=${out}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    build.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(build, 'exit')) as [number];
    if (code !== 0) throw new Error(`npm run build failed: ${stderr}`);
  }, 600_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await rm(out, { recursive: true, force: true });
  });

  /** `node --enable-source-maps <out>/<script>` with this run's environment. */
  function start(script: string, env: Record<string, string>): { child: ChildProcess; output: () => string } {
    const child = spawn(process.execPath, ['--enable-source-maps', `${out}/${script}`], {
      env: { ...process.env, ...testEnv(), LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    return { child, output: () => output };
  }

  async function ready(url: string, proc: { child: ChildProcess; output: () => string }): Promise<void> {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (proc.child.exitCode !== null) throw new Error(`exited with ${proc.child.exitCode}: ${proc.output()}`);
      const ok = await fetch(url).then((r) => r.ok, () => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`${url} not ready: ${proc.output()}`);
  }

  async function stopsOnSigterm(proc: { child: ChildProcess }): Promise<void> {
    const exited = once(proc.child, 'exit') as Promise<[number | null, string | null]>;
    proc.child.kill('SIGTERM');
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  }

  it('compiles every script the compose file and the Dockerfile run, with its source map', () => {
    const cmd = JSON.parse(instruction('CMD').at(-1)!.slice('CMD '.length)) as string[];
    const scripts = new Set([...appServices.map(([, s]) => scriptOf(s.command!)!), scriptOf(cmd)!, 'dist/src/cli.js', 'dist/scripts/ensure-database.js']);
    for (const script of scripts) {
      const file = script.replace(/^dist\//, `${out}/`);
      expect(existsSync(file), file).toBe(true);
      expect(existsSync(`${file}.map`), `${file}.map`).toBe(true);
    }
    // Read next to the module at run time.
    expect(existsSync(`${out}/src/passwords/common-passwords.txt`)).toBe(true);
  });

  it('imports, from every script the image runs, only Node built-ins and production dependencies (the image installs no others)', () => {
    const production = new Set(Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> }).dependencies));
    const cmd = JSON.parse(instruction('CMD').at(-1)!.slice('CMD '.length)) as string[];
    const entries = [...appServices.map(([, s]) => scriptOf(s.command!)!), scriptOf(cmd)!, 'dist/src/cli.js', 'dist/scripts/ensure-database.js'];
    const seen = new Set<string>();
    const packages = new Map<string, string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const code = readFileSync(file, 'utf8');
      for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["']([^"']+)["']/g)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) visit(join(dirname(file), spec));
        else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) packages.set(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!, file);
      }
    };
    for (const entry of entries) visit(entry.replace(/^dist\//, `${out}/`));
    expect(seen.size).toBeGreaterThan(50);
    const missing = [...packages].filter(([name]) => !production.has(name)).map(([name, file]) => `${name} (imported by ${file})`);
    expect(missing).toEqual([]);
  });

  it('migrates, then runs the control plane, the demo upstream and a gateway from dist; SIGTERM stops each cleanly', async () => {
    const migrate = start('src/db/migrate.js', {});
    const [migrated] = (await once(migrate.child, 'exit')) as [number];
    expect(migrated, migrate.output()).toBe(0);
    expect(migrate.output()).toMatch(/database is up to date|applied: /);

    const [cpPort, gwPort, upPort] = await Promise.all([freePort(), freePort(), freePort()]);
    // As compose runs it: the job above migrated, the control plane only checks.
    const cp = start('src/server.js', { CONTROL_PLANE_PORT: String(cpPort), MIGRATE_ON_START: 'false' });
    const upstream = start('scripts/demo-upstream.js', { DEMO_UPSTREAM_PORT: String(upPort) });
    await Promise.all([ready(`http://127.0.0.1:${cpPort}/readyz`, cp), ready(`http://127.0.0.1:${upPort}/health`, upstream)]);
    const gw = start('gateway/server.js', {
      GATEWAY_PORT: String(gwPort),
      CONTROL_PLANE_URL: `http://127.0.0.1:${cpPort}`,
      GATEWAY_ROUTES: 'test/support/routes.test.yaml',
    });
    await ready(`http://127.0.0.1:${gwPort}/readyz`, gw);
    // The gateway guards its routes: no token, no pass (and no crash on the compiled path).
    const denied = await fetch(`http://127.0.0.1:${gwPort}/orders`);
    expect(denied.status).toBe(401);

    await stopsOnSigterm(gw);
    await stopsOnSigterm(cp);
    upstream.child.kill('SIGTERM');
    await once(upstream.child, 'exit');
  }, 240_000);

  it('refuses to start the control plane on a database with pending migrations when it must not migrate', async () => {
    const databaseUrl = new URL(testEnv()['DATABASE_URL']!);
    const admin = new URL(databaseUrl);
    admin.pathname = '/postgres';
    const empty = `${databaseUrl.pathname.slice(1)}_empty`;
    const pgAdmin = new pg.Client({ connectionString: admin.toString() });
    await pgAdmin.connect();
    try {
      await pgAdmin.query(`create database ${empty}`);
      databaseUrl.pathname = `/${empty}`;
      const cp = start('src/server.js', { CONTROL_PLANE_PORT: String(await freePort()), MIGRATE_ON_START: 'false', DATABASE_URL: databaseUrl.toString() });
      const [code] = (await once(cp.child, 'exit')) as [number];
      expect(code).toBe(1);
      expect(cp.output()).toMatch(/pending migration\(s\) \(Migration20261122000000_initial, /);
    } finally {
      await pgAdmin.query(`drop database if exists ${empty} with (force)`);
      await pgAdmin.end();
    }
  }, 60_000);
});
