// Bundles as a security team publishes them: `opa build -t wasm` with the
// pinned OPA CLI and the build's flags (scripts/build-policy.sh: the same
// entry points and --ignore list, so policies/examples stays out), signed
// with `--signing-key` and `--signing-alg` (RS256, ES256 or EdDSA); plus the
// bad ones a test needs (a tampered file, another key, no signature, a wasm
// that is not WebAssembly but properly signed), made from a good one with
// `tar` and `opa sign`. Keys come from node:crypto.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const opa = resolve('.tools/bin/opa');

export type SigningAlg = 'RS256' | 'ES256' | 'EdDSA';

export interface SigningKey {
  alg: SigningAlg;
  /** Path of the private key PEM (for the OPA CLI). */
  privatePath: string;
  /** The public key PEM (POLICY_BUNDLE_VERIFICATION_KEY). */
  publicPem: string;
}

export function rsaKey(dir: string, name: string): Promise<SigningKey> {
  return signingKey(dir, name, 'RS256');
}

/** A new key pair for `alg`: the private key written to `<dir>/<name>.pem`. */
export async function signingKey(dir: string, name: string, alg: SigningAlg): Promise<SigningKey> {
  const { privateKey, publicKey } = alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    : generateKeyPairSync('ed25519');
  const privatePath = join(dir, `${name}.pem`);
  await writeFile(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { alg, privatePath, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** `opa build -t wasm` of `src` (policies/ plus extras), signed with `key` (its algorithm) unless null; the tar.gz bytes. */
export async function opaBundle(src: string, revision: string, key: SigningKey | null): Promise<Buffer> {
  const work = await mkdtemp(join(tmpdir(), 'iam-signed-'));
  try {
    const caps = JSON.parse(await readFile('node_modules/@open-policy-agent/opa-wasm/capabilities.json', 'utf8'));
    caps.features = ['rego_v1'];
    await writeFile(join(work, 'capabilities.json'), JSON.stringify(caps));
    const out = join(work, 'bundle.tar.gz');
    await run(opa, [
      'build', '-b', '-t', 'wasm', '-e', 'authz/decision', '-e', 'authz/admin', '-e', 'authz/role_check',
      '--capabilities', join(work, 'capabilities.json'), '--revision', revision,
      '--ignore', '*_test.rego', '--ignore', 'schemas', '--ignore', 'examples', '-o', out,
      ...(key === null ? [] : ['--signing-key', key.privatePath, '--signing-alg', key.alg]),
      src,
    ]);
    return await readFile(out);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Unpacks `tgz`, lets `edit` change the folder, packs it again (with `tar`). */
export async function rework(tgz: Buffer, edit: (dir: string) => Promise<void>): Promise<Buffer> {
  const work = await mkdtemp(join(tmpdir(), 'iam-rework-'));
  try {
    const dir = join(work, 'b');
    await mkdir(dir);
    await writeFile(join(work, 'in.tar.gz'), tgz);
    await run('tar', ['-xzf', join(work, 'in.tar.gz'), '-C', dir]);
    await edit(dir);
    await run('tar', ['-czf', join(work, 'out.tar.gz'), '-C', dir, '.']);
    return await readFile(join(work, 'out.tar.gz'));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** `opa sign` of an unpacked bundle folder with `key`: (re)writes its .signatures.json. */
export async function opaSign(dir: string, key: SigningKey): Promise<void> {
  await rm(join(dir, '.signatures.json'), { force: true });
  await run(opa, ['sign', '--signing-key', key.privatePath, '--signing-alg', key.alg, '--bundle', '.'], { cwd: dir });
}

/** Unpacks `tgz` into `dir` (which must exist). */
export async function unpack(tgz: Buffer, dir: string): Promise<void> {
  const file = join(dir, '.in.tar.gz');
  await writeFile(file, tgz);
  await run('tar', ['-xzf', file, '-C', dir]);
  await rm(file);
}
