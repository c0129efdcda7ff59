// `telvault migrate`'s progress, kept in the target database (never in the source): one row per
// copied table with the fingerprint of the source it copies, how far the copy got (the last key
// copied) and whether the table is done. Each batch of rows commits in the transaction that moves
// its table's row forward, under that row's lock, so a run killed at any moment leaves rows and
// progress agreeing, and a re-run (or a second run at the same time) continues where it stopped.
// Not a schema migration: the table exists only in a database `telvault migrate` wrote; it stays
// after the copy, as the record of where the data came from.
import type { Database } from './database.js';
import type { CopyValue } from './table-copy.js';
import { nowIso } from './time.js';

export const MIGRATE_PROGRESS_TABLE = 'migrate_progress';

interface MigrateProgressTable {
  table_name: string;
  /** The source's fingerprint (services/migrate): which deployment, in which state. */
  source: string;
  /** Rows copied so far (read from the source past the cursor). */
  copied: number;
  /** JSON array: the primary key of the last row copied; null before the first batch. */
  last_key: string | null;
  /** 1 once every row of the table is copied. */
  done: number;
  updated_at: string;
}

export interface MigrateProgress {
  table: string;
  source: string;
  copied: number;
  lastKey: CopyValue[] | null;
  done: boolean;
}

const progressDb = (db: Database) =>
  db.withTables<{ [MIGRATE_PROGRESS_TABLE]: MigrateProgressTable }>();

function toProgress(r: MigrateProgressTable): MigrateProgress {
  return {
    table: r.table_name,
    source: r.source,
    copied: r.copied,
    lastKey: r.last_key === null ? null : (JSON.parse(r.last_key) as CopyValue[]),
    done: r.done === 1,
  };
}

/** Creates the table and a row per table at its start (in the caller's transaction). */
export async function startMigrateProgress(
  trx: Database,
  source: string,
  tables: readonly string[],
): Promise<void> {
  await trx.schema
    .createTable(MIGRATE_PROGRESS_TABLE)
    .ifNotExists()
    .addColumn('table_name', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('copied', 'integer', (c) => c.notNull())
    .addColumn('last_key', 'text')
    .addColumn('done', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  const at = nowIso();
  await progressDb(trx)
    .insertInto(MIGRATE_PROGRESS_TABLE)
    .values(
      tables.map((t) => ({
        table_name: t,
        source,
        copied: 0,
        last_key: null,
        done: 0,
        updated_at: at,
      })),
    )
    .onConflict((oc) => oc.column('table_name').doNothing())
    .execute();
}

export async function listMigrateProgress(db: Database): Promise<MigrateProgress[]> {
  const rows = await progressDb(db).selectFrom(MIGRATE_PROGRESS_TABLE).selectAll().execute();
  return rows.map(toProgress);
}

/** A table's progress, its row locked until the transaction ends. */
export async function lockMigrateProgress(
  trx: Database,
  table: string,
): Promise<MigrateProgress | undefined> {
  const row = await progressDb(trx)
    .selectFrom(MIGRATE_PROGRESS_TABLE)
    .selectAll()
    .where('table_name', '=', table)
    .forUpdate()
    .executeTakeFirst();
  return row === undefined ? undefined : toProgress(row);
}

/** Moves a table's progress past a batch (in the batch's transaction). */
export async function advanceMigrateProgress(
  trx: Database,
  table: string,
  p: { copied: number; lastKey: CopyValue[] | null; done: boolean },
): Promise<void> {
  await progressDb(trx)
    .updateTable(MIGRATE_PROGRESS_TABLE)
    .set({
      copied: p.copied,
      last_key: p.lastKey === null ? null : JSON.stringify(p.lastKey),
      done: p.done ? 1 : 0,
      updated_at: nowIso(),
    })
    .where('table_name', '=', table)
    .execute();
}
