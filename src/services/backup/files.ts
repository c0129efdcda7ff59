// File steps a backup and a restore share: a checksum, durable writes, and the temporary names
// that are renamed into place only once complete (a killed run leaves only a `.partial-…` file).
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface FileDigest {
  bytes: number;
  sha256: string;
}

export async function digestFile(path: string): Promise<FileDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    hash.update(chunk);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** A name beside `path` for its content while being written. */
export function partialNameFor(path: string): string {
  return `${path}.partial-${randomBytes(4).toString('hex')}`;
}

/** fsync of a file, or of a directory (so a rename in it is durable). */
export function syncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function syncDirOf(path: string): void {
  syncPath(dirname(path));
}

/** Writes `text` to a new file at `path` (mode 0600), durably. */
export function writeNewFile(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function removeQuietly(...paths: string[]): void {
  for (const p of paths) rmSync(p, { force: true });
}
