// The last good bundle on local disk (POLICY_BUNDLE_CACHE_DIR), like OPA's
// `persist: true`: a service restarted while the bundle server is down starts
// on it. Written only after a bundle was activated, by write-then-rename, so
// the folder holds a whole bundle or the previous one. On boot it is opened
// like a download (signature checked again), never trusted as is.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredBundle {
  body: Buffer;
  etag: string | null;
}

const BUNDLE = 'bundle.tar.gz';
const META = 'bundle.json';

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
