// The storage layer: opening either database, the schema types, and the repositories of the key
// hierarchy and jobs. Named exports only.
export {
  openDatabase,
  type Database,
  type DatabaseTransaction,
  type DialectName,
  type OpenDatabaseInput,
  type OpenedDatabase,
  type Schema,
  type TableName,
  type KeyKind,
  type KeyState,
  type JobState,
} from './database.js';
export { migrateToLatest, type MigrationResult } from './migrator.js';
export {
  ENCRYPTED_TABLES,
  ENCRYPTED_TABLE_LIST,
  rowFields,
  type EncryptedTableName,
  type EncryptedTableSpec,
  type RowField,
} from './encrypted-fields.js';
export { trackRowKeys, listKeyUsage, type RowKeys, type KeyUsageRow } from './key-usage-repo.js';
export { newId, nowIso } from './time.js';
