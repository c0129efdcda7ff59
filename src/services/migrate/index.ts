// `telvault migrate`: a SQLite deployment copied into an empty PostgreSQL database, resumable,
// then checked table by table and chain by chain.
export {
  DEFAULT_MIGRATE_BATCH,
  MAX_MIGRATE_BATCH,
  migrateToPostgres,
  type MigrateInput,
  type MigrateProgress,
  type MigrateReport,
  type MigrateTableReport,
} from './migrate-service.js';
export type { AuditCheck, TableCheck } from './migrate-verify.js';
