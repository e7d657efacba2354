// The last good bundle on local disk (POLICY_BUNDLE_CACHE_DIR), like OPA's
// `persist: true`: a service restarted while the bundle server is down starts
// on it. Written only after a bundle was activated, by write-then-rename, so
// the folder holds a whole bundle or the previous one. On boot it is opened
// like a download (signature checked again), never trusted as is.
//
// Each bundle URL has a folder of its own under the cache folder (named by a
// hash of the URL, which may carry a query the logs must not show): two
// services given different POLICY_BUNDLE_URLs and the default cache folder
// never start on each other's bundle.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredBundle {
  body: Buffer;
  etag: string | null;
}

const BUNDLE = 'bundle.tar.gz';
const META = 'bundle.json';

/** Where the bundle of `url` is kept under `cacheDir`. */
export function bundleCacheFolder(cacheDir: string, url: string): string {
  return join(cacheDir, createHash('sha256').update(url).digest('hex').slice(0, 32));
}

export class BundleStore {
  constructor(readonly dir: string) {}

  async load(): Promise<StoredBundle | null> {
    try {
      const [body, meta] = await Promise.all([
        readFile(join(this.dir, BUNDLE)),
        readFile(join(this.dir, META), 'utf8').then((s) => JSON.parse(s) as { etag?: unknown }),
      ]);
      return { body, etag: typeof meta.etag === 'string' ? meta.etag : null };
    } catch {
      return null;
    }
  }

  async save(b: StoredBundle): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const tmp = `.${process.pid}.${Date.now()}`;
    await writeFile(join(this.dir, BUNDLE + tmp), b.body);
    await writeFile(join(this.dir, META + tmp), JSON.stringify({ etag: b.etag, savedAt: new Date().toISOString() }));
    // The bundle first: a crash between the renames leaves the new bundle with the old ETag, which only costs one download.
    await rename(join(this.dir, BUNDLE + tmp), join(this.dir, BUNDLE));
    await rename(join(this.dir, META + tmp), join(this.dir, META));
  }
}
