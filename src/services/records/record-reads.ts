// Reading records of the encrypted-field registry's tables: by natural key, by blind index (under
// every index-key version in use), by page, and one field opened with the registry's context.
import type { Secret, TenantId } from '../../crypto/index.js';
import type { Database } from '../../store/database.js';
import {
  findRecordRow,
  findRecordRowsIn,
  listRecordRows,
  pageRecordRows,
  type ColumnValue,
  type RecordPageQuery,
  type StoredRow,
} from '../../store/encrypted-record-repo.js';
import {
  ENCRYPTED_TABLES,
  rowFields,
  type EncryptedTableName,
  type EncryptedTableSpec,
} from '../../store/encrypted-fields.js';
import type { KeyService } from '../keys/key-service.js';

/** A stored row and its envelopes by registry field name. */
export interface StoredRecord {
  row: StoredRow;
  envelopes: Readonly<Record<string, string>>;
}

export function toRecord(spec: EncryptedTableSpec, row: StoredRow): StoredRecord {
  const envelopes: Record<string, string> = {};
  for (const f of rowFields(spec, row)) envelopes[f.field] = f.envelope;
  return { row, envelopes };
}

export interface RecordReadDeps {
  db: Database;
  keys: Pick<KeyService, 'openField' | 'blindIndexCandidates'>;
}

export function createRecordReads(deps: RecordReadDeps) {
  const { db, keys } = deps;
  return {
    async find(
      table: EncryptedTableName,
      tenantId: TenantId,
      key: Readonly<Record<string, ColumnValue>>,
    ): Promise<StoredRecord | undefined> {
      const row = await findRecordRow(db, table, tenantId, key);
      return row === undefined ? undefined : toRecord(ENCRYPTED_TABLES[table], row);
    },

    /** The tenant's record whose blind index is this value's under any index-key version in use. */
    async findByBlindIndex(
      table: EncryptedTableName,
      tenantId: TenantId,
      normalized: Secret<string>,
      normalizerVersion: number,
    ): Promise<StoredRecord | undefined> {
      const spec = ENCRYPTED_TABLES[table];
      if (spec.blindIndex === null) throw new Error(`${table}: no blind index`);
      const candidates = await keys.blindIndexCandidates(
        tenantId,
        normalized.reveal(),
        normalizerVersion,
      );
      const rows = await findRecordRowsIn(db, table, tenantId, spec.blindIndex.column, candidates);
      return rows[0] === undefined ? undefined : toRecord(spec, rows[0]);
    },

    /** One page of a tenant's records in id order. */
    async page(
      table: EncryptedTableName,
      tenantId: TenantId,
      q: RecordPageQuery,
    ): Promise<StoredRecord[]> {
      const spec = ENCRYPTED_TABLES[table];
      return (await pageRecordRows(db, table, tenantId, q)).map((r) => toRecord(spec, r));
    },

    async list(
      table: EncryptedTableName,
      tenantId: TenantId,
      orderBy: string,
    ): Promise<StoredRecord[]> {
      const spec = ENCRYPTED_TABLES[table];
      return (await listRecordRows(db, table, tenantId, orderBy)).map((r) => toRecord(spec, r));
    },

    /** Opens one field of a record, with the context the registry defines for it. */
    async open(
      table: EncryptedTableName,
      tenantId: TenantId,
      record: StoredRecord,
      field: string,
    ): Promise<Secret<string> | undefined> {
      const env = record.envelopes[field];
      if (env === undefined) return undefined;
      const ref = { entity: ENCRYPTED_TABLES[table].entity, field, recordId: record.row.id };
      return keys.openField(tenantId, ref, env);
    },
  };
}
