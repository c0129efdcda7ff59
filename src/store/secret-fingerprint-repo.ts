// secret_fingerprints: the leak check's keyed hashes of secret fields (migration 011), one per
// (registry table, row, field). Written and deleted in the transaction that writes the row.
import type { Database } from './database.js';

export interface FingerprintEntry {
  field: string;
  fingerprint: string;
}

export interface FingerprintMatch {
  fingerprint: string;
  tenant_id: string;
  table_name: string;
  record_id: string;
  field: string;
  /** The credential row's provider, when the secret is a provider credential's. */
  provider: string | null;
}

/** The fields of a row that have a fingerprint. */
export async function listRowFingerprintFields(
  db: Database,
  table: string,
  recordId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('secret_fingerprints')
    .select('field')
    .where('table_name', '=', table)
    .where('record_id', '=', recordId)
    .execute();
  return rows.map((r) => r.field);
}

/** Deletes a row's fingerprints (of `fields` only, when given). */
export async function deleteRowFingerprints(
  db: Database,
  table: string,
  recordId: string,
  fields?: readonly string[],
): Promise<void> {
  if (fields !== undefined && fields.length === 0) return;
  let q = db
    .deleteFrom('secret_fingerprints')
    .where('table_name', '=', table)
    .where('record_id', '=', recordId);
  if (fields !== undefined) q = q.where('field', 'in', [...fields]);
  await q.execute();
}

export async function insertRowFingerprints(
  db: Database,
  row: { table: string; recordId: string; tenantId: string; at: string },
  entries: readonly FingerprintEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('secret_fingerprints')
    .values(
      entries.map((e) => ({
        table_name: row.table,
        record_id: row.recordId,
        field: e.field,
        tenant_id: row.tenantId,
        fingerprint: e.fingerprint,
        created_at: row.at,
      })),
    )
    .execute();
}

/** Inserts the fingerprints a row has none of yet (the backfill: a writer's own always win). */
export async function insertRowFingerprintsIfAbsent(
  db: Database,
  row: { table: string; recordId: string; tenantId: string; at: string },
  entries: readonly FingerprintEntry[],
): Promise<void> {
  for (const e of entries) {
    await db
      .insertInto('secret_fingerprints')
      .values({
        table_name: row.table,
        record_id: row.recordId,
        field: e.field,
        tenant_id: row.tenantId,
        fingerprint: e.fingerprint,
        created_at: row.at,
      })
      .onConflict((oc) => oc.columns(['table_name', 'record_id', 'field']).doNothing())
      .execute();
  }
}

/** Every stored fingerprint among `fingerprints` (at most a few hundred bound values a query). */
export async function findFingerprints(
  db: Database,
  fingerprints: readonly string[],
): Promise<FingerprintMatch[]> {
  const out: FingerprintMatch[] = [];
  for (let i = 0; i < fingerprints.length; i += 500) {
    const chunk = fingerprints.slice(i, i + 500);
    const rows = await db
      .selectFrom('secret_fingerprints as f')
      .leftJoin('credentials as c', 'c.id', 'f.record_id')
      .select(['f.fingerprint', 'f.tenant_id', 'f.table_name', 'f.record_id', 'f.field'])
      .select('c.provider')
      .where('f.fingerprint', 'in', chunk)
      .orderBy('f.tenant_id')
      .orderBy('f.record_id')
      .orderBy('f.field')
      .execute();
    out.push(...rows.map((r) => ({ ...r, provider: r.provider ?? null })));
  }
  return out;
}
