// SQLite files as whole files: an online backup through better-sqlite3's backup API (SQLite's
// sqlite3_backup_*), and a telvault database opened from any path (a backup, a copy being restored).
//
// Why the backup runs inside one read transaction on its own connection: SQLite restarts a backup
// from its first page whenever another connection writes the source between two steps, so next to
// a server that writes steadily a step-by-step backup may never finish. A read transaction held
// across every step pins one WAL snapshot: the pages copied are all of that snapshot, nothing
// restarts, and the server keeps reading and writing (WAL readers never block writers; only its
// checkpoints cannot pass the snapshot until the backup ends).
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './database.js';
import type { Schema } from './schema.js';

export interface BackupStep {
  /** Pages copied so far, of `total`. */
  done: number;
  total: number;
}

export interface SqliteBackupOptions {
  /** After each step, and once more at the end. */
  onProgress?: (step: BackupStep) => void;
  /**
   * Pages copied per step (default 1024: 4 MiB of 4 KiB pages), or a function of the progress so
   * far that says the next step's size, as the binding's own progress callback does (0 copies
   * nothing and asks again: the read transaction and the servers go on).
   */
  pagesPerStep?: number | ((step: BackupStep) => number);
  /** Stops the copy between two steps; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface SqliteBackupResult {
  pages: number;
}

/**
 * Copies the SQLite database at `source` (which must exist) to the new file `dest`, page by page,
 * from one snapshot, then makes `dest` a self-contained rollback-journal file (the pages copied
 * carry the source's WAL mode; a backup should need no -wal beside it) and checks it.
 */
export async function backupSqliteFile(
  source: string,
  dest: string,
  options: SqliteBackupOptions = {},
): Promise<SqliteBackupResult> {
  const src = new SqliteDatabase(source, { fileMustExist: true });
  let pages: number;
  try {
    src.pragma('busy_timeout = 15000');
    src.exec('begin');
    // The snapshot is taken by the first read, not by `begin`.
    src.prepare('select count(*) from sqlite_master').get();
    const perStep = options.pagesPerStep ?? 1024;
    const r = await src.backup(dest, {
      progress: ({ totalPages, remainingPages }) => {
        // Thrown here, the binding closes the backup and deletes the file it was writing.
        options.signal?.throwIfAborted();
        const step = { done: totalPages - remainingPages, total: totalPages };
        options.onProgress?.(step);
        return typeof perStep === 'number' ? perStep : perStep(step);
      },
    });
    pages = r.totalPages;
    src.exec('commit');
    options.onProgress?.({ done: pages, total: pages });
  } finally {
    src.close();
  }
  const out = new SqliteDatabase(dest, { fileMustExist: true });
  try {
    out.pragma('journal_mode = DELETE');
    const check = out.pragma('quick_check', { simple: true });
    if (check !== 'ok')
      throw new Error(`the backup copy fails SQLite's quick_check: ${String(check)}`);
  } finally {
    out.close();
  }
  return { pages };
}

export interface OpenedSqliteFile {
  db: Database;
  close: () => Promise<void>;
}

/**
 * A telvault database in the SQLite file at `path` (which must exist), without migrations; with
 * `readonly`, any write fails (a backup's content is never changed by reading it).
 */
export function openSqliteFile(path: string, options: { readonly: boolean }): OpenedSqliteFile {
  const raw = new SqliteDatabase(path, { fileMustExist: true, readonly: options.readonly });
  raw.pragma('busy_timeout = 15000');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }) });
  return { db, close: () => db.destroy() };
}
