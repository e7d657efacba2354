// Bundle signatures as the pinned OPA CLI writes them (`opa sign`, the signer
// `opa build --signing-key` uses), checked by core/policy/bundle/signature.ts:
// each supported key type verifies; structured files are hashed over OPA's
// canonical JSON (so reformatting data.json keeps the signature valid, editing
// a value does not); a missing, added or edited file, another key, or an
// algorithm that does not match the key is refused. And the tarball reader's
// limits.
import { execFile } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../core/policy/bundle/signature.ts';
import { readTarball } from '../../core/policy/bundle/tarball.ts';

const run = promisify(execFile);
const opa = resolve('.tools/bin/opa');

// Values whose canonical form differs from JSON.stringify's or from the file's text:
// number literals (1.50, 1e2, -0), key order by bytes, HTML characters, U+2028, non-ASCII keys.
const data = '{\n  "z": 1.50, "a": {"y": [1e2, -0, 3.0, 12345678901234567890]},\n  "s": "<&> \\u2028 é \\"q\\"", "ké": true, "K": null\n}\n';
const manifest = '{"revision":"sig-test","roots":[""]}';

let work: string;
const keys: Record<string, { privatePath: string; publicKey: KeyObject }> = {};

async function signedFiles(alg: string, edit?: (dir: string) => Promise<void>): Promise<Map<string, Buffer>> {
  const dir = await mkdtemp(join(work, `${alg}-`));
  await writeFile(join(dir, 'data.json'), data);
  await writeFile(join(dir, '.manifest'), manifest);
  await writeFile(join(dir, 'policy.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff, 0x10]));
  await run(opa, ['sign', '--signing-key', keys[alg]!.privatePath, '--signing-alg', alg, '--bundle', '.'], { cwd: dir });
  await edit?.(dir);
  const files = new Map<string, Buffer>();
  for (const name of await readdir(dir)) files.set(name, await readFile(join(dir, name)));
  return files;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iam-sig-'));
  const pairs = {
    RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    ES256: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }),
    EdDSA: generateKeyPairSync('ed25519'),
  };
  for (const [alg, pair] of Object.entries(pairs)) {
    const privatePath = join(work, `${alg}.pem`);
    await writeFile(privatePath, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    keys[alg] = { privatePath, publicKey: pair.publicKey };
  }
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('bundle signatures written by the OPA CLI', () => {
  for (const alg of ['RS256', 'ES256', 'EdDSA']) {
    it(`verifies an ${alg} signature over every file, JSON hashed canonically`, async () => {
      const files = await signedFiles(alg);
      expect(files.has('.signatures.json')).toBe(true);
      expect(() => verifyBundle(files, keys[alg]!.publicKey)).not.toThrow();
    });
  }

  it('keeps a signature valid when data.json is only reformatted, refuses it when a value changes', async () => {
    const reformatted = await signedFiles('ES256', async (dir) =>
      writeFile(join(dir, 'data.json'), '{"K":null,"ké":true,"s":"<&> \\u2028 é \\"q\\"","a":{"y":[1e2,-0,3.0,12345678901234567890]},"z":1.50}'));
    expect(() => verifyBundle(reformatted, keys.ES256!.publicKey)).not.toThrow();
    const edited = await signedFiles('ES256', async (dir) => writeFile(join(dir, 'data.json'), data.replace('1.50', '1.5')));
    expect(() => verifyBundle(edited, keys.ES256!.publicKey)).toThrow(/data\.json: digest mismatch/);
  });

  it('refuses an edited, added or missing file, another key, and a key of another type', async () => {
    const files = await signedFiles('RS256');
    const wasm = new Map(files).set('policy.wasm', Buffer.from('not wasm'));
    expect(() => verifyBundle(wasm, keys.RS256!.publicKey)).toThrow(/policy\.wasm: digest mismatch/);
    const added = new Map(files).set('extra/data.json', Buffer.from('{}'));
    expect(() => verifyBundle(added, keys.RS256!.publicKey)).toThrow(/extra\/data\.json is not covered/);
    const missing = new Map(files);
    missing.delete('policy.wasm');
    expect(() => verifyBundle(missing, keys.RS256!.publicKey)).toThrow(/missing from the bundle: policy\.wasm/);
    const unsigned = new Map(files);
    unsigned.delete('.signatures.json');
    expect(() => verifyBundle(unsigned, keys.RS256!.publicKey)).toThrow(/not signed/);
    expect(() => verifyBundle(files, generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey)).toThrow(/does not verify/);
    // An RS256 signature checked with an EC key: the algorithm must match the key.
    expect(() => verifyBundle(files, keys.ES256!.publicKey)).toThrow(/does not verify/);
  });
});

describe('bundle tarball reader', () => {
  it('reads what tar writes, with names normalised', async () => {
    const dir = await mkdtemp(join(work, 'tar-'));
    await writeFile(join(dir, 'data.json'), '{}');
    await writeFile(join(dir, '.manifest'), manifest);
    await run('tar', ['-czf', join(work, 't.tar.gz'), '-C', dir, '.']);
    const files = readTarball(await readFile(join(work, 't.tar.gz')));
    expect([...files.keys()].sort()).toEqual(['.manifest', 'data.json']);
    expect(files.get('.manifest')!.toString()).toBe(manifest);
  });

  it('refuses archives past its limits, paths that climb out, and bytes that are not gzip', async () => {
    const big = gzipSync(Buffer.alloc(1024 * 1024));
    expect(() => readTarball(big, { maxCompressedBytes: 1 << 20, maxUnpackedBytes: 64 * 1024, maxEntries: 10 })).toThrow(/unpacks past/);
    expect(() => readTarball(big, { maxCompressedBytes: 100, maxUnpackedBytes: 1 << 30, maxEntries: 10 })).toThrow(/over the 100-byte limit/);
    expect(() => readTarball(Buffer.from('plain text'))).toThrow(/not a readable gzip/);
    expect(() => readTarball(gzipSync(Buffer.concat([ustar('../x', 'x'), Buffer.alloc(1024)])))).toThrow(/not allowed/);
    expect(() => readTarball(gzipSync(Buffer.concat([ustar('link', '', '2'), Buffer.alloc(1024)])))).toThrow(/not a regular file/);
    const corrupt = ustar('data.json', '{}');
    corrupt[0] = 0x65; // the name changes, the checksum does not
    expect(() => readTarball(gzipSync(Buffer.concat([corrupt, Buffer.alloc(1024)])))).toThrow(/checksum/);
    expect(readTarball(gzipSync(Buffer.concat([ustar('/./a/data.json', '{}'), Buffer.alloc(1024)]))).has('a/data.json')).toBe(true);
  });
});

/** One ustar entry (header and padded body), written by hand so the test can make names tar would not. */
function ustar(name: string, body: string, type = '0'): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${Buffer.byteLength(body).toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write(type, 156, 'latin1');
  h.write('ustar\0' + '00', 257, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const padded = Buffer.alloc(Math.ceil(Buffer.byteLength(body) / 512) * 512);
  padded.write(body);
  return Buffer.concat([h, padded]);
}
