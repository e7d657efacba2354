// Builds a policy bundle the way scripts/build-policy.sh does (same flags and
// capabilities), from any source folder into any output folder, and swaps a
// bundle folder in atomically like the build, so tests can hand a running
// gateway a new (or a broken) bundle.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const opa = resolve('.tools/bin/opa');

/** Copies policies/ (or `from`) into a temp folder and adds `extraRego` files to it. */
export async function policySources(extraRego: Record<string, string> = {}, from = 'policies'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'iam-rego-'));
  await cp(from, dir, { recursive: true });
  for (const [file, text] of Object.entries(extraRego)) await writeFile(join(dir, file), text);
  return dir;
}

/** `opa build -t wasm` of `src` into `out` (policy.wasm, data.json, .manifest); returns the revision. */
export async function buildBundle(src: string, out: string, revision: string): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'iam-bundle-'));
  const caps = JSON.parse(await readFile('node_modules/@open-policy-agent/opa-wasm/capabilities.json', 'utf8'));
  caps.features = ['rego_v1'];
  await writeFile(join(work, 'capabilities.json'), JSON.stringify(caps));
  const tarball = join(work, 'bundle.tar.gz');
  await run(opa, [
    'build', '-t', 'wasm', '-e', 'authz/decision', '-e', 'authz/admin', '-e', 'authz/role_check',
    '--capabilities', join(work, 'capabilities.json'), '--revision', revision, '--ignore', '*_test.rego', '--ignore', 'schemas', '--ignore', 'examples', '-o', tarball, src,
  ]);
  await mkdir(out, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', out, '/policy.wasm', '/data.json', '/.manifest']).catch(() =>
    run('tar', ['-xzf', tarball, '-C', out]),
  );
  await rm(work, { recursive: true, force: true });
  return revision;
}

/** Replaces folder `dir` by `next` the way the build does: rename away, rename in, delete the old one. */
export async function swapFolder(next: string, dir: string): Promise<void> {
  await rm(`${dir}.prev`, { recursive: true, force: true });
  await rename(dir, `${dir}.prev`);
  await rename(next, dir);
  await rm(`${dir}.prev`, { recursive: true, force: true });
}
