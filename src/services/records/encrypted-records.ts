// The one path every row with encrypted fields is written and read through, driven by the
// encrypted-field registry (store/encrypted-fields.ts). A write:
//   1. reads the row by its natural key and lets the caller plan the write from it (a merge);
//   2. seals the fresh fields, all under one key version, and re-seals kept envelopes that are
//      under another, so the row has one key_version; computes the blind index;
//   3. in one transaction re-reads the row (locked), checks it is the one planned from and that
//      the caller's conditions hold, inserts or updates it, keeps key_usage exact
//      (trackRowKeys) and records the audit event;
//   4. starts again from 1 when it lost a race (retryOnRace), never when a condition failed.
// A blind index marked unique is checked in step 3 under every index-key version in use: the index
// text carries its key version, so while an index-key rotation runs the same value has two
// indexes and the table's unique constraint alone would let a duplicate in.
// Sealing happens before the transaction: the key service may query the database, and on SQLite a
// transaction holds the only connection. Envelope contexts (entity, field, record id) come from
// the registry only, so a service cannot drift from what rotation re-encrypts.
import type { Secret, TenantId } from '../../crypto/index.js';
import { blindIndexKeyVersion } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import type { Database } from '../../store/database.js';
import {
  deleteRecordRow,
  findRecordRowsIn,
  findRecordRow,
  insertRecordRow,
  updateRecordRow,
  type ColumnValue,
  type StoredRow,
} from '../../store/encrypted-record-repo.js';
import {
  ENCRYPTED_TABLES,
  envelopeColumns,
  type EncryptedTableName,
  type EncryptedTableSpec,
} from '../../store/encrypted-fields.js';
import { trackRowKeys, type RowKeys } from '../../store/key-usage-repo.js';
import { lockTenant } from '../../store/tenant-repo.js';
import { newId, nowIso } from '../../store/time.js';
import type { AuditEventInput, AuditService } from '../audit/audit-service.js';
import type { KeyService } from '../keys/key-service.js';
import { retryOnRace, StaleRead, type FieldCipher } from '../keys/sealing.js';
import { deleteRowFingerprints } from '../../store/secret-fingerprint-repo.js';
import { createRecordBatch, heldSteps, type HeldStep, type RecordBatch } from './record-batch.js';
import { fingerprintsOf, syncRowFingerprints } from './record-fingerprints.js';
import { createRecordReads, toRecord, type StoredRecord } from './record-reads.js';
import './errors.js';

export type { ColumnValue, RecordPageQuery } from '../../store/encrypted-record-repo.js';

export type { StoredRecord } from './record-reads.js';

/** The audit event of a write (its tenant is the record's). */
export type RecordAuditEvent = Omit<AuditEventInput, 'tenantId'>;

export interface RecordWritePlan {
  /** Encrypted fields (registry names) to seal from these plaintexts. */
  seal: Readonly<Record<string, Secret<string>>>;
  /** Encrypted fields of the stored row to keep (re-sealed if under another key version). */
  keep: readonly string[];
  /** The normalized plaintext of the table's blind-indexed field (omitted: the index is kept). */
  blindIndex?: {
    normalized: Secret<string>;
    normalizerVersion: number;
    /**
     * The value must be the tenant's only one: checked in the write's transaction under every
     * index-key version in use (the tenant's writes of this table serialized meanwhile); a
     * duplicate throws what this returns, not retried.
     */
    unique?: () => Error;
  };
  /** The row's other columns (not id, tenant, envelopes, key or index versions, timestamps). */
  columns: Readonly<Record<string, ColumnValue>>;
  audit: RecordAuditEvent;
  /**
   * Write only while these columns of the stored row hold these values (a `row_version` or a
   * lease the caller holds); otherwise ERR_RECORD_CONDITION_FAILED, not retried. Needs a row.
   */
  expect?: Readonly<Record<string, ColumnValue>>;
}

export interface RecordWrite {
  table: EncryptedTableName;
  tenantId: TenantId;
  /** The row's natural key within the tenant: `{ provider }`, `{ name }`, `{ id }`. */
  key: Readonly<Record<string, ColumnValue>>;
  /** Plans the write from the row as it is (undefined: none yet); called again on a retry. */
  plan: (existing: StoredRecord | undefined) => RecordWritePlan;
}

export interface RecordDelete {
  table: EncryptedTableName;
  tenantId: TenantId;
  key: Readonly<Record<string, ColumnValue>>;
  audit: RecordAuditEvent;
  /** The message of the ERR_NOT_FOUND raised when there is no such row. */
  notFound: string;
}

export interface EncryptedRecordsDeps {
  db: Database;
  keys: FieldCipher &
    Pick<KeyService, 'blindIndexCandidates' | 'secretFingerprint' | 'ensureSystemKey'>;
  audit: Pick<AuditService, 'record'>;
}

function rowKeys(spec: EncryptedTableSpec, row: Readonly<Record<string, unknown>>): RowKeys {
  const keys: RowKeys = { data: Number(row['key_version']) };
  if (spec.blindIndex === null) return keys;
  const { column, versionColumn } = spec.blindIndex;
  const text = row[column];
  if (typeof text !== 'string') return keys;
  keys.index = versionColumn === null ? blindIndexKeyVersion(text) : Number(row[versionColumn]);
  return keys;
}

/** Column values compared as stored: a driver may give an integer as a number or a string. */
function sameValue(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): string | null => {
    if (v === undefined || v === null) return null;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'bigint') return String(v);
    return JSON.stringify(v);
  };
  return norm(a) === norm(b);
}

function sameRow(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>) {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (!sameValue(a[k], b[k])) return false;
  return true;
}

const conditionFailed = (table: string) =>
  new TelvaultError('ERR_RECORD_CONDITION_FAILED', `${table}: the record changed: read it again`);

export function createEncryptedRecords(deps: EncryptedRecordsDeps) {
  const { db, keys } = deps;

  /** Step 2: the envelopes and key version of the planned row. */
  async function sealPlan(
    spec: EncryptedTableSpec,
    tenantId: TenantId,
    recordId: string,
    existing: StoredRecord | undefined,
    plan: RecordWritePlan,
  ): Promise<{ envelopes: Record<string, string>; version: number }> {
    let version = existing?.row.key_version;
    const envelopes: Record<string, string> = {};
    const fresh = Object.entries(plan.seal);
    if (fresh.length > 0) {
      const texts = Object.fromEntries(fresh.map(([f, v]) => [f, v.reveal()]));
      const s = await keys.sealFields(tenantId, spec.entity, recordId, texts);
      Object.assign(envelopes, s.envelopes);
      version = s.keyVersion;
    }
    for (const field of plan.keep) {
      const env = existing?.envelopes[field];
      if (env === undefined || field in envelopes) continue;
      if (version === existing?.row.key_version) {
        envelopes[field] = env;
        continue;
      }
      const ref = { entity: spec.entity, field, recordId };
      const s = await keys.resealField(tenantId, ref, env);
      if (s.keyVersion !== version) throw new StaleRead(); // the primary changed meanwhile
      envelopes[field] = s.envelope;
    }
    if (version === undefined) {
      throw new TelvaultError('ERR_INTERNAL', `${spec.table}: a record needs a sealed field`);
    }
    return { envelopes, version };
  }

  async function writeOnce(w: RecordWrite): Promise<StoredRecord> {
    const spec = ENCRYPTED_TABLES[w.table];
    const read = await findRecordRow(db, w.table, w.tenantId, w.key);
    const existing = read === undefined ? undefined : toRecord(spec, read);
    const plan = w.plan(existing);
    if (plan.expect !== undefined && read === undefined) throw conditionFailed(w.table);
    // A create names its row by `{ id }` so the caller knows it before the write.
    const keyId = typeof w.key['id'] === 'string' ? w.key['id'] : undefined;
    const recordId = read?.id ?? keyId ?? newId();
    const { envelopes, version } = await sealPlan(spec, w.tenantId, recordId, existing, plan);
    const fingerprints = await fingerprintsOf(keys, w.table, plan.seal);
    const now = nowIso();
    const values: Record<string, ColumnValue> = {
      ...plan.columns,
      ...envelopeColumns(spec, envelopes),
      key_version: version,
      updated_at: now,
    };
    let unique: { candidates: string[]; conflict: () => Error } | undefined;
    if (spec.blindIndex !== null && plan.blindIndex !== undefined) {
      const { normalized, normalizerVersion } = plan.blindIndex;
      const bi = await keys.blindIndex(w.tenantId, normalized.reveal(), normalizerVersion);
      values[spec.blindIndex.column] = bi.value;
      if (spec.blindIndex.versionColumn !== null)
        values[spec.blindIndex.versionColumn] = bi.version;
      if (plan.blindIndex.unique !== undefined) {
        const candidates = await keys.blindIndexCandidates(
          w.tenantId,
          normalized.reveal(),
          normalizerVersion,
        );
        unique = { candidates, conflict: plan.blindIndex.unique };
      }
    }
    const indexColumn = spec.blindIndex?.column ?? '';
    const rv = spec.rowVersionColumn;
    // What the row will be: the step below refuses unless the row is still `read`.
    const written: Record<string, unknown> =
      read === undefined
        ? { ...values, id: recordId, tenant_id: w.tenantId, created_at: now }
        : { ...read, ...values };
    if (rv !== null) written[rv] = read === undefined ? 0 : Number(read[rv]) + 1;
    const step: HeldStep = async (trx) => {
      if (unique !== undefined) {
        // Serializes the tenant's unique writes on PostgreSQL, so two inserts of one value under
        // different index-key versions cannot both pass the check below.
        if ((await lockTenant(trx, w.tenantId)) === undefined) {
          throw new TelvaultError('ERR_NOT_FOUND', 'tenant not found');
        }
        const held = await findRecordRowsIn(trx, w.table, w.tenantId, indexColumn, [
          ...unique.candidates,
          String(values[indexColumn]),
        ]);
        if (held.some((r) => r.id !== recordId)) throw unique.conflict();
      }
      const current = await findRecordRow(trx, w.table, w.tenantId, w.key, true);
      if (current?.id !== read?.id) throw new StaleRead();
      if (current !== undefined && read !== undefined) {
        for (const [c, v] of Object.entries(plan.expect ?? {})) {
          if (!sameValue(current[c], v)) throw conditionFailed(w.table);
        }
        if (!sameRow(current, read)) throw new StaleRead();
        if (!(await updateRecordRow(trx, w.table, current.id, values, {}, rv))) {
          throw new StaleRead();
        }
      } else {
        const inserted = { ...written };
        if (rv !== null) delete inserted[rv]; // the column's default
        await insertRecordRow(trx, w.table, inserted as Record<string, ColumnValue>);
      }
      const before = current === undefined ? null : rowKeys(spec, current);
      await trackRowKeys(trx, w.tenantId, before, rowKeys(spec, written));
      const row = { table: w.table, recordId, tenantId: w.tenantId, at: now };
      await syncRowFingerprints(trx, row, Object.keys(envelopes), fingerprints);
      await deps.audit.record({ ...plan.audit, tenantId: w.tenantId }, trx);
    };
    const batch = heldSteps();
    if (batch !== undefined) batch.push(step);
    else await db.transaction().execute(step);
    return toRecord(spec, written as StoredRow);
  }

  return {
    /** Inserts or updates one row (see the steps above); the row as written. */
    write: (w: RecordWrite): Promise<StoredRecord> => retryOnRace(() => writeOnce(w)),

    /**
     * Writes inside `batch.run` are held and committed together by `batch.commit` (see
     * record-batch.ts); deletes are not part of a batch.
     */
    batch: (): RecordBatch => createRecordBatch(db),

    /** Deletes one row with its audit event; ERR_NOT_FOUND if there is none. */
    async remove(d: RecordDelete): Promise<void> {
      const spec = ENCRYPTED_TABLES[d.table];
      if (heldSteps() !== undefined)
        throw new TelvaultError('ERR_INTERNAL', 'records: a delete inside a batch run');
      await db.transaction().execute(async (trx) => {
        const row = await findRecordRow(trx, d.table, d.tenantId, d.key, true);
        if (row === undefined) throw new TelvaultError('ERR_NOT_FOUND', d.notFound);
        await deleteRecordRow(trx, d.table, row.id);
        await deleteRowFingerprints(trx, d.table, row.id);
        await trackRowKeys(trx, d.tenantId, rowKeys(spec, row), null);
        await deps.audit.record({ ...d.audit, tenantId: d.tenantId }, trx);
      });
    },

    ...createRecordReads(deps),
  };
}

export type EncryptedRecords = ReturnType<typeof createEncryptedRecords>;
