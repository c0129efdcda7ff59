// The copy: table by table in COPY_TABLES order, in batches read from the source's snapshot after
// the table's cursor. Each batch is one target transaction that locks the table's progress row,
// reads the cursor there (not from memory: a run killed, or a second run beside this one, moved
// it), inserts the rows (a row already present is left alone) and moves the cursor past them. A
// kill at any moment leaves the rows and the cursor agreeing; the next run goes on from there.
import type { Database } from '../../store/database.js';
import {
  advanceMigrateProgress,
  listMigrateProgress,
  lockMigrateProgress,
} from '../../store/migrate-progress-repo.js';
import {
  COPY_TABLES,
  insertRowsIfAbsent,
  keyOf,
  readRowsAfter,
  type CopiedTable,
  type CopyTable,
} from '../../store/table-copy.js';

export interface CopyProgress {
  table: CopiedTable;
  /** Rows copied so far, over every table and every run. */
  done: number;
  total: number;
}

export interface CopyResult {
  /** Rows this run inserted, per table. */
  inserted: Map<CopiedTable, number>;
  /** Rows earlier runs had copied when this one started (it went on from there). */
  copiedBefore: number;
}

/** One batch of a table: how many rows it read past the cursor (0: the table was done). */
async function copyBatch(
  src: Database,
  target: Database,
  spec: CopyTable,
  batchSize: number,
): Promise<{ read: number; inserted: number }> {
  return target.transaction().execute(async (trx) => {
    const p = await lockMigrateProgress(trx, spec.table);
    if (p === undefined) throw new Error(`migrate: no progress row for ${spec.table}`);
    if (p.done) return { read: 0, inserted: 0 };
    const rows = await readRowsAfter(src, spec, p.lastKey, batchSize);
    const inserted = await insertRowsIfAbsent(trx, spec, rows);
    const last = rows[rows.length - 1];
    await advanceMigrateProgress(trx, spec.table, {
      copied: p.copied + rows.length,
      lastKey: last === undefined ? p.lastKey : keyOf(spec, last),
      done: rows.length < batchSize,
    });
    return { read: rows.length, inserted };
  });
}

export async function copyTables(
  src: Database,
  target: Database,
  total: number,
  options: { batchSize: number; onProgress?: ((p: CopyProgress) => void) | undefined },
): Promise<CopyResult> {
  const copied = new Map((await listMigrateProgress(target)).map((p) => [p.table, p.copied]));
  const copiedBefore = [...copied.values()].reduce((a, b) => a + b, 0);
  let done = copiedBefore;
  const inserted = new Map<CopiedTable, number>();
  for (const spec of COPY_TABLES) {
    inserted.set(spec.table, 0);
    options.onProgress?.({ table: spec.table, done, total });
    for (;;) {
      const b = await copyBatch(src, target, spec, options.batchSize);
      inserted.set(spec.table, (inserted.get(spec.table) ?? 0) + b.inserted);
      done += b.read;
      if (b.read > 0) options.onProgress?.({ table: spec.table, done, total });
      if (b.read < options.batchSize) break;
    }
  }
  return { inserted, copiedBefore };
}
