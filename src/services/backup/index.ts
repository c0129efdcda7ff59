// Backups: the online SQLite backup with its manifest, the restore that checks it, and the check of
// a whole restored database (SQLite, or PostgreSQL after pg_restore).
export {
  createBackup,
  refuseFileBackupOfPostgres,
  type BackupView,
  type CreateBackupInput,
} from './create-backup.js';
export { restoreBackup, type RestoreView, type RestoreBackupInput } from './restore-backup.js';
export { verifyDatabase, type VerifyDatabaseInput } from './verify-database.js';
export {
  COUNTED_TABLES,
  type DatabaseCheck,
  type KeyProblemView,
  type AuditCheckView,
} from './database-check.js';
export { manifestPathOf, type BackupManifest } from './manifest.js';
export type { BackupStep } from '../../store/sqlite-backup.js';
