// Fingerprints for secrets stored before the leak check existed (migration 011) or by a path that
// wrote none: every fingerprinted field of every tenant's rows that has no fingerprint is opened,
// fingerprinted and recorded, in id order, a batch at a time. A row changed meanwhile is left to
// its writer (whose transaction writes its own fingerprints): the insert happens in a transaction
// that re-reads the row (locked on PostgreSQL) and only while the field still holds the envelope
// that was opened, and never replaces a fingerprint already there. Safe to run again and while
// the service runs; a value under the minimum length is skipped, as on write.
import { asTenantId } from '../../crypto/index.js';
import type { Database } from '../../store/database.js';
import { findRecordRow } from '../../store/encrypted-record-repo.js';
import {
  ENCRYPTED_TABLES,
  FINGERPRINTED_FIELDS,
  rowFields,
  type EncryptedTableName,
} from '../../store/encrypted-fields.js';
import { scanEncryptedRows, type EncryptedRow } from '../../store/encrypted-row-repo.js';
import {
  insertRowFingerprintsIfAbsent,
  listRowFingerprintFields,
} from '../../store/secret-fingerprint-repo.js';
import { listTenants } from '../../store/tenant-repo.js';
import { nowIso } from '../../store/time.js';
import type { KeyService } from '../keys/key-service.js';
import { FINGERPRINT_MIN_LENGTH, secretFingerprint } from './record-fingerprints.js';

export interface FingerprintBackfillDeps {
  db: Database;
  keys: Pick<KeyService, 'openField' | 'secretFingerprint'>;
}

export interface FingerprintBackfillResult {
  /** Rows looked at, and fingerprints added. */
  rows: number;
  added: number;
}

const BATCH = 200;

async function backfillRow(
  deps: FingerprintBackfillDeps,
  table: EncryptedTableName,
  tenantId: string,
  row: EncryptedRow,
): Promise<number> {
  const spec = ENCRYPTED_TABLES[table];
  const listed = FINGERPRINTED_FIELDS[table]?.fields ?? [];
  const have = new Set(await listRowFingerprintFields(deps.db, table, row.id));
  const planned: { field: string; envelope: string; fingerprint: string }[] = [];
  for (const f of rowFields(spec, row)) {
    if (!listed.includes(f.field) || have.has(f.field)) continue;
    const ref = { entity: spec.entity, field: f.field, recordId: row.id };
    const text = (await deps.keys.openField(asTenantId(tenantId), ref, f.envelope)).reveal();
    if (text.length < FINGERPRINT_MIN_LENGTH) continue;
    planned.push({
      field: f.field,
      envelope: f.envelope,
      fingerprint: await secretFingerprint(deps.keys, text),
    });
  }
  if (planned.length === 0) return 0;
  return deps.db.transaction().execute(async (trx) => {
    const current = await findRecordRow(trx, table, tenantId, { id: row.id }, true);
    if (current === undefined) return 0;
    const now = Object.fromEntries(rowFields(spec, current).map((f) => [f.field, f.envelope]));
    const still = planned.filter((p) => now[p.field] === p.envelope);
    const at = { table, recordId: row.id, tenantId, at: nowIso() };
    await insertRowFingerprintsIfAbsent(trx, at, still);
    return still.length;
  });
}

/** Adds the missing fingerprints of every tenant's secrets (see above). */
export async function backfillSecretFingerprints(
  deps: FingerprintBackfillDeps,
): Promise<FingerprintBackfillResult> {
  const result: FingerprintBackfillResult = { rows: 0, added: 0 };
  const tables = Object.keys(FINGERPRINTED_FIELDS) as EncryptedTableName[];
  for (let tenants = await listTenants(deps.db); tenants.length > 0;) {
    for (const tenant of tenants) {
      for (const table of tables) {
        let after: string | null = null;
        for (;;) {
          const rows = await scanEncryptedRows(
            deps.db,
            ENCRYPTED_TABLES[table],
            tenant.id,
            after,
            BATCH,
          );
          for (const row of rows) {
            result.rows++;
            result.added += await backfillRow(deps, table, tenant.id, row);
          }
          if (rows.length < BATCH) break;
          after = rows[rows.length - 1]?.id ?? null;
        }
      }
    }
    tenants = await listTenants(deps.db, { afterId: tenants[tenants.length - 1]?.id });
  }
  return result;
}
