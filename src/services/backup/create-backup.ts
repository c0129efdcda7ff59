// `telvault backup FILE`: an online backup of the SQLite database while servers keep serving it.
// The pages are copied from one snapshot (store/sqlite-backup.ts) into `FILE.partial-…`; the audit
// head and the master key ids are then read from that copy, so they describe exactly what it holds
// (a head read from the live database before or after would be behind or ahead of it); then the
// manifest `FILE.json` and the copy are renamed into place, the copy last: a file at `FILE` is
// always a complete backup with its manifest beside it. A killed run leaves only `.partial-…`
// files.
import { chmodSync, existsSync, renameSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { TelvaultError } from '../../errors.js';
import {
  backupSqliteFile,
  openSqliteFile,
  type BackupStep,
  type SqliteBackupOptions,
} from '../../store/sqlite-backup.js';
import { sqliteFilePath } from '../../store/sqlite-dialect.js';
import { schemaVersion } from '../../store/table-introspection.js';
import { listWrappingMasterKeyIds } from '../../store/tenant-key-repo.js';
import { nowIso } from '../../store/time.js';
import { createAuditService } from '../audit/index.js';
import type { MasterKeys } from '../keys/master-keys.js';
import { TELVAULT_VERSION } from '../../version.js';
import {
  digestFile,
  partialNameFor,
  removeQuietly,
  syncDirOf,
  syncPath,
  writeNewFile,
} from './files.js';
import { MANIFEST_FORMAT, manifestPathOf, type BackupManifest } from './manifest.js';
import './errors.js';

export interface CreateBackupInput {
  /** Set on PostgreSQL: refused (pg_dump is the tool there). */
  databaseUrl?: string | undefined;
  /** The data directory whose `telvault.db` is backed up. */
  dataDir: string;
  file: string;
  /** To MAC the audit head line (the audit key is unwrapped from the backup itself). */
  masterKeys: MasterKeys;
  /** Replace a backup already at `file`. */
  force?: boolean;
  onProgress?: (step: BackupStep) => void;
  /** Pages per copy step, or a function saying the next step's size (store/sqlite-backup.ts). */
  pagesPerStep?: SqliteBackupOptions['pagesPerStep'];
  /** Stops the copy (Ctrl-C): the partial files are removed, nothing is written at `file`. */
  signal?: AbortSignal;
}

export interface BackupView {
  file: string;
  manifestFile: string;
  pages: number;
  manifest: BackupManifest;
}

async function describeCopy(
  path: string,
  masterKeys: MasterKeys,
): Promise<Pick<BackupManifest, 'schemaVersion' | 'masterKeyIds' | 'auditHead' | 'auditStreams'>> {
  // Read-only: reading the head must not change the bytes the checksum is taken of.
  const copy = openSqliteFile(path, { readonly: true });
  try {
    const head = await createAuditService({ db: copy.db, masterKeys }).head();
    return {
      schemaVersion: await schemaVersion(copy.db),
      masterKeyIds: await listWrappingMasterKeyIds(copy.db),
      auditHead: head.line,
      auditStreams: head.streams,
    };
  } finally {
    await copy.close();
  }
}

/** `telvault backup FILE` copies a SQLite file: on PostgreSQL, pg_dump is the tool. */
export function refuseFileBackupOfPostgres(databaseUrl: string | undefined): void {
  if (databaseUrl === undefined || databaseUrl === '') return;
  throw new TelvaultError(
    'ERR_BACKUP_UNSUPPORTED',
    'telvault backup copies the SQLite file, and this configuration uses PostgreSQL (TELVAULT_DATABASE_URL): take `telvault audit head`, then `pg_dump -Fc`, and after `pg_restore` check the restored database with `telvault backup --verify --head FILE` (docs/operations.md, Backups)',
  );
}

export async function createBackup(input: CreateBackupInput): Promise<BackupView> {
  refuseFileBackupOfPostgres(input.databaseUrl);
  const source = sqliteFilePath(input.dataDir);
  if (!existsSync(source)) {
    throw new TelvaultError(
      'ERR_BACKUP_SOURCE_MISSING',
      `no telvault database at ${source} (TELVAULT_DATA_DIR): nothing to back up`,
    );
  }
  const file = resolve(input.file);
  if (file === resolve(source)) {
    throw new TelvaultError('ERR_VALIDATION', `<file>: must not be the database itself (${file})`);
  }
  if (!existsSync(dirname(file))) {
    throw new TelvaultError('ERR_VALIDATION', `<file>: directory ${dirname(file)} does not exist`);
  }
  const manifestFile = manifestPathOf(file);
  if (existsSync(file) && input.force !== true) {
    throw new TelvaultError(
      'ERR_BACKUP_EXISTS',
      `${file} exists: refusing to overwrite it (--force replaces it)`,
    );
  }
  const partial = partialNameFor(file);
  const partialManifest = partialNameFor(manifestFile);
  try {
    const takenAt = nowIso();
    const { pages } = await backupSqliteFile(source, partial, {
      ...(input.onProgress === undefined ? {} : { onProgress: input.onProgress }),
      ...(input.pagesPerStep === undefined ? {} : { pagesPerStep: input.pagesPerStep }),
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    }).catch((err: unknown) => {
      if (input.signal?.aborted !== true) throw err;
      throw new TelvaultError(
        'ERR_BACKUP_INTERRUPTED',
        `backup interrupted: nothing was written at ${file}`,
      );
    });
    // Envelopes and wrapped keys only, but still nobody else's to read (SQLite made it 0644).
    chmodSync(partial, 0o600);
    const described = await describeCopy(partial, input.masterKeys);
    syncPath(partial);
    const digest = await digestFile(partial);
    const manifest: BackupManifest = {
      format: MANIFEST_FORMAT,
      file: basename(file),
      ...digest,
      takenAt,
      telvaultVersion: TELVAULT_VERSION,
      ...described,
    };
    writeNewFile(partialManifest, `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(partialManifest, manifestFile);
    renameSync(partial, file);
    syncDirOf(file);
    return { file, manifestFile, pages, manifest };
  } finally {
    removeQuietly(partial, partialManifest);
  }
}
