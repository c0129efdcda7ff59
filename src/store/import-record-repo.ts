// import_records: what `telvault import` made of each source record, by the keyed hash of its
// identity, with the keyed fingerprint of its values (no raw id, no value).
import type { Database, DatabaseTransaction } from './database.js';
import type { ImportRecordsTable } from './schema.js';

export type ImportRecordRow = ImportRecordsTable;

export async function findImportRecords(
  db: Database,
  keys: readonly string[],
): Promise<Map<string, ImportRecordRow>> {
  const out = new Map<string, ImportRecordRow>();
  // Chunks keep every statement under the drivers' parameter limits.
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await db
      .selectFrom('import_records')
      .selectAll()
      .where('record_key', 'in', keys.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.record_key, r);
  }
  return out;
}

/** Inserts or updates rows, all in one transaction. */
export async function saveImportRecords(
  db: Database,
  rows: readonly ImportRecordRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await db.transaction().execute((trx) => upsertImportRecords(trx, rows));
}

/** Inserts or updates rows in the caller's transaction. */
export async function upsertImportRecords(
  trx: DatabaseTransaction,
  rows: readonly ImportRecordRow[],
): Promise<void> {
  for (const row of rows) {
    await trx
      .insertInto('import_records')
      .values(row)
      .onConflict((oc) =>
        oc.column('record_key').doUpdateSet({
          tenant_id: row.tenant_id,
          target: row.target,
          target_ref: row.target_ref,
          fingerprint: row.fingerprint,
          updated_at: row.updated_at,
        }),
      )
      .execute();
  }
}

export async function countImportRecords(db: Database): Promise<number> {
  const r = await db
    .selectFrom('import_records')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}
