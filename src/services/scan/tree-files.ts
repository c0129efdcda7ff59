// The working tree's files: what git would consider when the path is in a git work tree (so
// .gitignore is respected), every file under the path otherwise (without .git); read a few at a
// time, binary files (a NUL byte in the first 8000 bytes, git's own test) and huge ones skipped.
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isGitWorkTree, listGitFiles } from './git.js';

/** How many files are read at once (their scan is on the main thread anyway). */
const READ_CONCURRENCY = 16;
/** git's binary test: a NUL byte in the first 8000 bytes. */
const BINARY_PROBE_BYTES = 8000;

export interface TreeListing {
  /** Paths relative to the scanned directory, with `/` separators. */
  files: string[];
  git: boolean;
}

export interface TreeCounts {
  files: number;
  bytes: number;
  skippedBinary: number;
  skippedLarge: number;
}

export async function listTreeFiles(dir: string): Promise<TreeListing> {
  if (await isGitWorkTree(dir)) return { files: await listGitFiles(dir), git: true };
  return { files: await walk(dir, ''), git: false };
}

async function walk(root: string, rel: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(join(root, rel), { withFileTypes: true });
  for (const e of entries) {
    const path = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory() && e.name !== '.git') out.push(...(await walk(root, path)));
    else if (e.isFile()) out.push(path);
  }
  return out;
}

/**
 * Calls `visit` with each readable text file's content (latin1: every pattern is ASCII, and
 * latin1 keeps one character per byte, so line numbers stay right), `READ_CONCURRENCY` reads at
 * a time. Symlinks, missing files (tracked but deleted) and non-regular files are passed over.
 */
export async function readTreeFiles(
  dir: string,
  files: readonly string[],
  maxFileBytes: number,
  visit: (path: string, text: string) => void,
): Promise<TreeCounts> {
  const counts: TreeCounts = { files: 0, bytes: 0, skippedBinary: 0, skippedLarge: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const path = files[next++] as string;
      const abs = join(dir, ...path.split('/'));
      const stat = await lstat(abs).catch(() => undefined);
      if (stat === undefined || !stat.isFile()) continue;
      if (stat.size > maxFileBytes) {
        counts.skippedLarge++;
        continue;
      }
      const bytes = await readFile(abs).catch(() => undefined);
      if (bytes === undefined) continue;
      if (bytes.subarray(0, BINARY_PROBE_BYTES).includes(0)) {
        counts.skippedBinary++;
        continue;
      }
      counts.files++;
      counts.bytes += bytes.length;
      visit(path, bytes.toString('latin1'));
    }
  };
  await Promise.all(Array.from({ length: READ_CONCURRENCY }, worker));
  return counts;
}
