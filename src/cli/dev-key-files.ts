// The `telvault dev` master key files under the data directory: `master.key` (the current key)
// and, while a master-key rotation is unfinished, `master.key.previous` (the key it replaced). Both
// are written atomically (temporary file, fsync, rename) with mode 0600, so a crash leaves either
// the old or the new file, never half of one, and the old key is kept until the rotation is done.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { TelvaultConfig } from '../config.js';
import { parseMasterKey } from '../crypto/index.js';
import { Secret } from '../crypto/index.js';

export const DEV_MASTER_KEY_FILE = 'master.key';
export const DEV_PREVIOUS_MASTER_KEY_FILE = 'master.key.previous';

export interface DevKeyFiles {
  keyFile: string;
  previousFile: string;
  current: Secret<string> | undefined;
  previous: Secret<string> | undefined;
}

function readKeyFile(path: string): Secret<string> | undefined {
  return existsSync(path) ? new Secret(readFileSync(path, 'utf8').trim()) : undefined;
}

export function readDevKeyFiles(dataDir: string): DevKeyFiles {
  const keyFile = join(dataDir, DEV_MASTER_KEY_FILE);
  const previousFile = join(dataDir, DEV_PREVIOUS_MASTER_KEY_FILE);
  return {
    keyFile,
    previousFile,
    current: readKeyFile(keyFile),
    previous: readKeyFile(previousFile),
  };
}

/** Writes `text` to `path` with mode 0600: all of it or nothing, durable once this returns. */
export function writePrivateFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${randomBytes(4).toString('hex')}`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(join(path, '..'), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

const same = (a: Secret<string>, b: Secret<string> | undefined) => a.reveal() === b?.reveal();

/**
 * In a dev data directory, makes the key files' keys usable by an operator command: without
 * TELVAULT_MASTER_KEY, `master.key` is the current key; the files' other keys are accepted as the
 * previous (or next) key where those variables leave room, so a rotation can unwrap what they wrap.
 */
export function applyDevKeyFiles(config: TelvaultConfig): DevKeyFiles {
  const files = readDevKeyFiles(config.dataDir);
  for (const key of [files.current, files.previous]) {
    if (key === undefined) continue;
    if (config.masterKey === undefined) config.masterKey = key;
    else if (
      [config.masterKey, config.masterKeyPrevious, config.masterKeyNext].some(
        (k) => k !== undefined && same(k, key),
      )
    )
      continue;
    else if (config.masterKeyPrevious === undefined) config.masterKeyPrevious = key;
    else config.masterKeyNext ??= key;
  }
  return files;
}

/**
 * Before a master-key rotation to `next` in a dev data directory: the old key moves to
 * `master.key.previous` and `next` becomes `master.key`, so `telvault dev` restarted at any point
 * holds both. Refuses while the previous file holds a third key (a rotation not finished).
 * Returns true when the files changed.
 */
export function stageDevKeyRotation(files: DevKeyFiles, next: Secret<string>): boolean {
  const old = files.current;
  if (old === undefined || same(next, old)) return false;
  if (files.previous !== undefined && !same(files.previous, old)) {
    const id = parseMasterKey(files.previous.reveal()).id;
    throw new Error(
      `${files.previousFile} holds master key ${id}: a rotation from it has not finished. Finish it first: run \`telvault keys rotate-master\` without TELVAULT_MASTER_KEY`,
    );
  }
  writePrivateFileAtomic(files.previousFile, `${old.reveal()}\n`);
  writePrivateFileAtomic(files.keyFile, `${next.reveal()}\n`);
  return true;
}

/** After a finished rotation (no key wrapped by the old master key): drops the previous file. */
export function finishDevKeyRotation(files: DevKeyFiles): boolean {
  if (!existsSync(files.previousFile)) return false;
  rmSync(files.previousFile);
  return true;
}
