// Reads an OPA bundle (`bundle.tar.gz`, as `opa build` writes it) into
// memory: gunzip (node:zlib) and a small ustar reader, so no archive package
// runs on a bundle's bytes. Bounded: the compressed size, the unpacked size
// and the number of entries. Only regular files are kept (directories are
// skipped); links, devices and names that climb out of the bundle (`..`)
// refuse the archive. Names are normalised the way OPA's reader does: no
// leading `/` or `./` (`/policy.wasm` is `policy.wasm`).
import { gunzipSync } from 'node:zlib';

export interface TarballLimits {
  /** Largest gzip body accepted (default 64 MB). */
  maxCompressedBytes: number;
  /** Largest unpacked archive (default 256 MB). */
  maxUnpackedBytes: number;
  /** Most entries (default 10,000). */
  maxEntries: number;
}

export const defaultTarballLimits: TarballLimits = {
  maxCompressedBytes: 64 * 1024 * 1024,
  maxUnpackedBytes: 256 * 1024 * 1024,
  maxEntries: 10_000,
};

export class TarballError extends Error {
  override name = 'TarballError';
}

const BLOCK = 512;

/** File path → content, in archive order. */
export type BundleArchive = Map<string, Buffer>;

export function readTarball(gz: Uint8Array, limits: TarballLimits = defaultTarballLimits): BundleArchive {
  if (gz.byteLength > limits.maxCompressedBytes) {
    throw new TarballError(`bundle is ${gz.byteLength} bytes, over the ${limits.maxCompressedBytes}-byte limit`);
  }
  let tar: Buffer;
  try {
    tar = gunzipSync(gz, { maxOutputLength: limits.maxUnpackedBytes });
  } catch (err) {
    throw new TarballError(`bundle is not a readable gzip archive (or unpacks past ${limits.maxUnpackedBytes} bytes): ${(err as Error).message}`);
  }
  const files: BundleArchive = new Map();
  let at = 0;
  let entries = 0;
  let longName: string | null = null;
  while (at + BLOCK <= tar.length) {
    const header = tar.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break; // end of archive
    if (++entries > limits.maxEntries) throw new TarballError(`bundle has more than ${limits.maxEntries} entries`);
    checkChecksum(header);
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156]!);
    const bodyAt = at + BLOCK;
    if (bodyAt + size > tar.length) throw new TarballError('bundle archive is truncated');
    const body = tar.subarray(bodyAt, bodyAt + size);
    at = bodyAt + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      longName = paxPath(body) ?? longName;
      continue;
    }
    if (type === 'L') {
      longName = cString(body, 0, body.length);
      continue;
    }
    if (type === 'g') continue; // a global PAX header: nothing a bundle needs
    const name = longName ?? ustarName(header);
    longName = null;
    if (type === '5') continue;
    if (type !== '0' && type !== '\0' && type !== '7') {
      throw new TarballError(`bundle entry ${JSON.stringify(name)} is not a regular file (type ${JSON.stringify(type)})`);
    }
    const path = normalise(name);
    if (files.has(path)) throw new TarballError(`bundle has ${path} twice`);
    files.set(path, Buffer.from(body));
  }
  return files;
}

/** `a/./b`, `/a`, `./a` → `a/b`, `a`, `a`; refuses `..` and empty names. */
function normalise(name: string): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..')) throw new TarballError(`bundle entry name ${JSON.stringify(name)} is not allowed`);
  return parts.join('/');
}

function ustarName(h: Buffer): string {
  const name = cString(h, 0, 100);
  const prefix = h.toString('latin1', 257, 262) === 'ustar' ? cString(h, 345, 155) : '';
  return prefix === '' ? name : `${prefix}/${name}`;
}

function cString(b: Buffer, at: number, len: number): string {
  const end = b.indexOf(0, at);
  return b.toString('utf8', at, end === -1 || end > at + len ? at + len : end);
}

function octal(h: Buffer, at: number, len: number): number {
  // Base-256 sizes (first byte 0x80) only appear past 8 GB: far over any limit.
  if ((h[at]! & 0x80) !== 0) throw new TarballError('bundle entry is too large');
  const text = cString(h, at, len).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarballError('bundle archive header is corrupt');
  return parseInt(text, 8);
}

function checkChecksum(h: Buffer): void {
  const stored = octal(h, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  if (sum !== stored) throw new TarballError('bundle archive header checksum does not match');
}

/** The `path` record of a PAX extended header (`<len> path=<value>\n`). */
function paxPath(body: Buffer): string | null {
  let at = 0;
  let path: string | null = null;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    if (space === -1) break;
    const len = Number(body.toString('latin1', at, space));
    if (!Number.isInteger(len) || len <= 0) break;
    const record = body.toString('utf8', space + 1, at + len - 1);
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') path = record.slice(eq + 1);
    at += len;
  }
  return path;
}
