// Verification of a bundle's `.signatures.json`, as `opa build --signing-key`
// writes it and OPA checks it (v1/bundle/verify.go, hash.go):
//
//   {"signatures": ["<JWS compact>"]}   exactly one
//   JWS payload: {"files": [{"name", "hash", "algorithm"}], "scope"?, "keyid"?, ...}
//
// The JWS must verify with POLICY_BUNDLE_VERIFICATION_KEY (a PEM public key;
// RS256/384/512, PS256/384/512, ES256/384/512 and EdDSA, the algorithm bound
// to the key's type so a signature cannot pick a weaker reading of the key).
// Then every file of the archive but `.signatures.json` must be listed with a
// matching hash, and every listed file must be in the archive: a tampered,
// added or removed file refuses the bundle. Structured files (`data.json`,
// `.manifest`, by base name as OPA decides) are hashed over their canonical
// JSON (canonical-json.ts), everything else over its bytes.
//
// Choices where OPA is laxer: MD5 and SHA-1 file hashes are refused (OPA
// accepts them; `opa build` writes SHA-256), HMAC (HS*) is refused because the
// key is a public key, and the signature's `scope` must be empty (OPA's
// default, since no scope is configured here).
import { createHash, createPublicKey, timingSafeEqual, verify, constants, type KeyObject } from 'node:crypto';
import { canonicalJsonHash } from './canonical-json.ts';
import { BundleRefused } from './refusal.ts';
import type { BundleArchive } from './tarball.ts';

export const SIGNATURES_FILE = '.signatures.json';

const structured = new Set(['data.json', 'data.yaml', '.manifest', SIGNATURES_FILE]);

const hashes: Record<string, string> = {
  'SHA-224': 'sha224',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
  'SHA-512-224': 'sha512-224',
  'SHA-512-256': 'sha512-256',
};

interface SignedFile {
  name: string;
  hash: string;
  algorithm: string;
}

/** A PEM public key (SPKI, PKCS#1 RSA, or a certificate); throws with a readable message. */
export function verificationKey(pem: string): KeyObject {
  try {
    return createPublicKey(pem);
  } catch (err) {
    throw new Error(`POLICY_BUNDLE_VERIFICATION_KEY is not a PEM public key: ${(err as Error).message}`);
  }
}

const refuse = (message: string) => new BundleRefused('verification', message);

/** Throws BundleRefused('verification') unless the archive's signature and every file's hash check out. */
export function verifyBundle(files: BundleArchive, key: KeyObject): void {
  const raw = files.get(SIGNATURES_FILE);
  if (raw === undefined) throw refuse(`bundle is not signed (no ${SIGNATURES_FILE}) and a verification key is set`);
  let signatures: unknown;
  try {
    signatures = (JSON.parse(raw.toString('utf8')) as { signatures?: unknown }).signatures;
  } catch {
    throw refuse(`${SIGNATURES_FILE} is not JSON`);
  }
  if (!Array.isArray(signatures) || signatures.length !== 1 || typeof signatures[0] !== 'string') {
    throw refuse(`${SIGNATURES_FILE} must hold exactly one JWT`);
  }
  const payload = verifyJws(signatures[0], key);
  if (payload.scope !== undefined && payload.scope !== '') throw refuse('signature scope mismatch');
  if (!Array.isArray(payload.files)) throw refuse('signature lists no files');

  const listed = new Map<string, SignedFile>();
  for (const f of payload.files as SignedFile[]) {
    if (typeof f?.name !== 'string' || typeof f.hash !== 'string' || typeof f.algorithm !== 'string') throw refuse('signature has a malformed file entry');
    listed.set(f.name.replace(/^\/+/, ''), f);
  }
  for (const [name, content] of files) {
    if (name === SIGNATURES_FILE) continue;
    const f = listed.get(name);
    if (f === undefined) throw refuse(`${name} is not covered by the bundle signature`);
    const algorithm = hashes[f.algorithm];
    if (algorithm === undefined) throw refuse(`${name}: hash algorithm ${f.algorithm} is not accepted`);
    const base = name.slice(name.lastIndexOf('/') + 1);
    let digest: Buffer;
    if (structured.has(base)) {
      if (base === 'data.yaml') throw refuse(`${name}: YAML data files are not supported`);
      try {
        digest = canonicalJsonHash(content.toString('utf8'), algorithm);
      } catch {
        throw refuse(`${name} is not JSON`);
      }
    } else {
      digest = createHash(algorithm).update(content).digest();
    }
    const want = /^[0-9a-f]+$/i.test(f.hash) ? Buffer.from(f.hash, 'hex') : Buffer.alloc(0);
    if (want.length !== digest.length || !timingSafeEqual(want, digest)) throw refuse(`${name}: digest mismatch`);
    listed.delete(name);
  }
  if (listed.size > 0) throw refuse(`signed files missing from the bundle: ${[...listed.keys()].join(', ')}`);
}

/** Verifies a JWS compact serialisation with `key`; returns its payload. */
function verifyJws(token: string, key: KeyObject): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw refuse('bundle signature is not a JWS');
  const [h, p, s] = parts as [string, string, string];
  let header: { alg?: unknown }, payload: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as typeof header;
    payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw refuse('bundle signature is not a readable JWS');
  }
  const alg = typeof header.alg === 'string' ? header.alg : '';
  const signed = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, 'base64url');
  if (!checkSignature(alg, key, signed, signature)) throw refuse(`bundle signature does not verify with the configured key (alg ${alg || 'none'})`);
  return payload;
}

function checkSignature(alg: string, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  const type = key.asymmetricKeyType;
  const bits = /^(?:RS|PS|ES)(256|384|512)$/.exec(alg)?.[1];
  const digest = bits === undefined ? null : `sha${bits}`;
  try {
    if (alg.startsWith('RS') && digest && type === 'rsa') return verify(digest, data, key, signature);
    if (alg.startsWith('PS') && digest && (type === 'rsa' || type === 'rsa-pss')) {
      return verify(digest, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(bits) / 8 }, signature);
    }
    if (alg.startsWith('ES') && digest && type === 'ec') {
      const curve = { sha256: 'prime256v1', sha384: 'secp384r1', sha512: 'secp521r1' }[digest];
      if (key.asymmetricKeyDetails?.namedCurve !== curve) return false;
      return verify(digest, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    }
    if (alg === 'EdDSA' && (type === 'ed25519' || type === 'ed448')) return verify(null, data, key, signature);
  } catch {
    return false;
  }
  return false;
}
