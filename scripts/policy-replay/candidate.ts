// The candidate bundle of a replay, as a PolicyEngine: a built bundle folder
// (policy.wasm, data.json, .manifest: build/policy, or `opa build` unpacked)
// or a bundle tarball as `opa build -t wasm` writes it (signed or not: a
// replay reads what it is given; verifying signatures is the services' job,
// docs/http.md). The tarball is read in memory (core/policy/bundle/tarball.ts)
// and its three files handed to the engine's own loader.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyEngine } from '../../core/policy/engine.ts';
import { readTarball } from '../../core/policy/bundle/tarball.ts';

const needed = ['policy.wasm', 'data.json', '.manifest'] as const;

export async function loadCandidate(path: string): Promise<PolicyEngine> {
  const info = await stat(path);
  if (info.isDirectory()) return PolicyEngine.load(path);
  const files = readTarball(await readFile(path));
  const missing = needed.filter((f) => !files.has(f));
  if (missing.length > 0) throw new Error(`${path} is not a wasm bundle (no ${missing.join(', ')}); build it with opa build -t wasm`);
  const dir = await mkdtemp(join(tmpdir(), 'policy-replay-'));
  try {
    await Promise.all(needed.map((f) => writeFile(join(dir, f), files.get(f)!)));
    return await PolicyEngine.load(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
