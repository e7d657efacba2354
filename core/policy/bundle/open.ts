// From the bytes of a `bundle.tar.gz` to an engine ready to decide, or a
// BundleRefused saying at which stage it failed: unpack (tarball.ts), verify
// the signature when a key is set (signature.ts), load the wasm with its data
// and run the engine's self-test on a known input (core/policy/engine.ts).
// Nothing here touches the engine in force: activation is the caller's one
// assignment, after all of this has passed.
import type { KeyObject } from 'node:crypto';
import { PolicyEngine, PolicyError } from '../engine.ts';
import { BundleRefused } from './refusal.ts';
import { verifyBundle } from './signature.ts';
import { readTarball, type TarballLimits } from './tarball.ts';

export interface OpenOptions {
  /** POLICY_BUNDLE_VERIFICATION_KEY; null: signatures are not checked. */
  key: KeyObject | null;
  limits?: TarballLimits;
  /** Where the bundle came from, for messages. */
  origin: string;
}

export async function openBundle(gz: Uint8Array, o: OpenOptions): Promise<PolicyEngine> {
  const files = readTarball(gz, o.limits);
  if (o.key !== null) verifyBundle(files, o.key);
  const wasm = files.get('policy.wasm');
  const data = files.get('data.json');
  const manifest = files.get('.manifest');
  if (wasm === undefined || data === undefined || manifest === undefined) {
    throw new BundleRefused('load', `${o.origin} lacks policy.wasm, data.json or .manifest (build it with opa build -t wasm)`);
  }
  try {
    return await PolicyEngine.fromFiles({ wasm, data: data.toString('utf8'), manifest: manifest.toString('utf8') }, o.origin);
  } catch (err) {
    if (err instanceof PolicyError) throw new BundleRefused(err.stage, err.message);
    throw new BundleRefused('load', `${o.origin} does not load: ${(err as Error).message}`);
  }
}
