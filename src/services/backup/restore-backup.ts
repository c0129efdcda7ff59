// `telvault restore FILE`: puts a backup in place as the data directory's `telvault.db`.
// Everything that can refuse runs before anything is written: the backup's size and SHA-256
// against the manifest, its schema version, and its master key ids against the keys this
// configuration holds. It is then copied beside the database (the copy's checksum checked too),
// the old database's -wal, -shm and -journal files removed (SQLite would replay a stale WAL into
// the new file), and the copy renamed over `telvault.db`. The restored database is then checked
// whole (database-check.ts), its audit streams against the head line the backup took of itself.
//
// A database that a server still serves is never replaced: a serving node refreshes its row in
// `master_key_nodes` every 5 s and removes it when it stops, so a row seen within the last 20 s
// means one runs (or was killed less than 20 s ago). A process that does not serve (another CLI
// command) leaves no such row: operators stop those too (docs/operations.md).
import { constants, copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { resolve } from 'node:path';
import { TelvaultError } from '../../errors.js';
import { openDatabase } from '../../store/database.js';
import { MIGRATIONS } from '../../store/migrations/index.js';
import { openSqliteFile } from '../../store/sqlite-backup.js';
import { sqliteFilePath } from '../../store/sqlite-dialect.js';
import { schemaVersion } from '../../store/table-introspection.js';
import { listWrappingMasterKeyIds } from '../../store/tenant-key-repo.js';
import { listLiveNodes, NODE_LIVE_MS } from '../keys/master-key-state.js';
import { heldMasterKeyIds, MASTER_KEY_VARIABLES, type MasterKeys } from '../keys/master-keys.js';
import { checkDatabase, type DatabaseCheck } from './database-check.js';
import {
  digestFile,
  partialNameFor,
  removeQuietly,
  syncDirOf,
  syncPath,
  type FileDigest,
} from './files.js';
import { manifestPathOf, readManifest, type BackupManifest } from './manifest.js';
import './errors.js';

export interface RestoreBackupInput {
  file: string;
  /** The data directory whose `telvault.db` the backup becomes. */
  dataDir: string;
  masterKeys: MasterKeys;
  /** Replace an existing database (never one a server still serves). */
  force?: boolean;
  clock?: () => number;
}

export interface RestoreView {
  file: string;
  target: string;
  /** An existing database was replaced. */
  replaced: boolean;
  manifest: BackupManifest;
  check: DatabaseCheck;
}

/** The serving nodes seen lately on the database at `target` (none when it is not telvault's). */
async function liveNodes(target: string, now: number): Promise<string[]> {
  let opened: ReturnType<typeof openSqliteFile> | undefined;
  try {
    opened = openSqliteFile(target, { readonly: false });
    return (await listLiveNodes(opened.db, now)).map((n) => `${n.node_id} (${n.seen_at})`);
  } catch {
    // Not a database, or not one with serving nodes: nothing serves it.
    return [];
  } finally {
    await opened?.close();
  }
}

async function checkBackup(path: string, manifest: BackupManifest, masterKeys: MasterKeys) {
  const copy = openSqliteFile(path, { readonly: true });
  try {
    const known = Math.max(...MIGRATIONS.map((m) => m.version));
    const version = await schemaVersion(copy.db);
    if (version !== null && version > known) {
      throw new TelvaultError(
        'ERR_BACKUP_UNSUPPORTED',
        `the backup was made by a newer telvault (schema version ${version}; this one knows up to ${known}): restore it with that version`,
      );
    }
    const needed = await listWrappingMasterKeyIds(copy.db);
    if (needed.join(',') !== [...manifest.masterKeyIds].sort().join(',')) {
      throw new TelvaultError(
        'ERR_BACKUP_MANIFEST_INVALID',
        'manifest: masterKeyIds: differs from the master keys of the backup it describes',
      );
    }
    const held = new Set(heldMasterKeyIds(masterKeys));
    const missing = needed.filter((id) => !held.has(id));
    if (missing.length > 0) {
      throw new TelvaultError(
        'ERR_BACKUP_MASTER_KEY_MISSING',
        `the backup's keys are wrapped by master key(s) ${missing.join(', ')}, which this configuration does not hold: set ${MASTER_KEY_VARIABLES} to it (nothing was changed)`,
      );
    }
  } finally {
    await copy.close();
  }
}

async function refuseToReplace(target: string, force: boolean, now: number): Promise<void> {
  if (!force) {
    throw new TelvaultError(
      'ERR_BACKUP_EXISTS',
      `${target} exists: refusing to replace it (stop every telvault process on it, then --force replaces it)`,
    );
  }
  const nodes = await liveNodes(target, now);
  if (nodes.length > 0) {
    throw new TelvaultError(
      'ERR_BACKUP_TARGET_IN_USE',
      `${target} is being served (node ${nodes.join(', ')} seen within the last ${NODE_LIVE_MS / 1000} s): stop every server on it first (a node killed without stopping is forgotten ${NODE_LIVE_MS / 1000} s after its last heartbeat)`,
    );
  }
}

/** Installs the checked copy at `partial` as `target`, the old database's side files removed. */
function install(partial: string, target: string): void {
  syncPath(partial);
  removeQuietly(`${target}-wal`, `${target}-shm`, `${target}-journal`);
  renameSync(partial, target);
  syncDirOf(target);
}

function checksumRefusal(file: string, manifest: BackupManifest, got: FileDigest): TelvaultError {
  const sha = got.sha256 === manifest.sha256 ? 'matches' : 'differs';
  return new TelvaultError(
    'ERR_BACKUP_CHECKSUM',
    `${file} does not match its manifest (${got.bytes} bytes, the manifest says ${manifest.bytes}; SHA-256 ${sha}): the backup is damaged or not the one the manifest describes (nothing was changed)`,
  );
}

const matches = (d: FileDigest, m: BackupManifest) => d.sha256 === m.sha256 && d.bytes === m.bytes;

export async function restoreBackup(input: RestoreBackupInput): Promise<RestoreView> {
  const file = resolve(input.file);
  const dataDir = resolve(input.dataDir);
  const target = sqliteFilePath(dataDir);
  if (!existsSync(file))
    throw new TelvaultError('ERR_VALIDATION', `<file>: ${file} does not exist`);
  if (file === target) {
    throw new TelvaultError('ERR_VALIDATION', `<file>: must not be the database itself (${file})`);
  }
  const manifest = readManifest(manifestPathOf(file));
  const replaced = existsSync(target);
  if (replaced) await refuseToReplace(target, input.force === true, (input.clock ?? Date.now)());
  // The backup is checked where it is (read-only: a checked backup is never written), so a refusal
  // leaves no trace, not even a data directory.
  const digest = await digestFile(file);
  if (!matches(digest, manifest)) throw checksumRefusal(file, manifest, digest);
  await checkBackup(file, manifest, input.masterKeys);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const partial = partialNameFor(target);
  try {
    copyFileSync(file, partial, constants.COPYFILE_EXCL);
    // What is installed is what was checked (the copy, or the file since, could differ).
    const copied = await digestFile(partial);
    if (!matches(copied, manifest)) throw checksumRefusal(partial, manifest, copied);
    install(partial, target);
  } finally {
    removeQuietly(partial);
  }
  const opened = await openDatabase({ dataDir });
  try {
    const check = await checkDatabase(opened.db, input.masterKeys, {
      headLine: manifest.auditHead,
    });
    return { file, target, replaced, manifest, check };
  } finally {
    await opened.close();
  }
}
