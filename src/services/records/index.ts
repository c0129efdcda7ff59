// The one encrypted-record path: every row with encrypted fields is written, read and deleted here.
export {
  createEncryptedRecords,
  type ColumnValue,
  type EncryptedRecords,
  type RecordAuditEvent,
  type RecordDelete,
  type RecordPageQuery,
  type RecordWrite,
  type RecordWritePlan,
  type StoredRecord,
} from './encrypted-records.js';
export {
  backfillSecretFingerprints,
  type FingerprintBackfillDeps,
  type FingerprintBackfillResult,
} from './fingerprint-backfill.js';
export type { RecordBatch } from './record-batch.js';
export { FINGERPRINT_MIN_LENGTH } from './record-fingerprints.js';
