// The codes of `telvault backup` and `telvault restore` (see crypto/errors.ts for how codes are
// declared). Each refusal changes nothing: no file written at the backup's name, no database
// replaced.
declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    /** The backup's file (or a database to restore into) exists and --force was not given. */
    ERR_BACKUP_EXISTS: true;
    /** There is no SQLite database to back up at the configured data directory. */
    ERR_BACKUP_SOURCE_MISSING: true;
    /** The command does not apply to this database (a file backup of PostgreSQL). */
    ERR_BACKUP_UNSUPPORTED: true;
    /** The manifest beside a backup is missing, unreadable or breaks its schema. */
    ERR_BACKUP_MANIFEST_INVALID: true;
    /** The backup file's bytes do not match its manifest's size and SHA-256. */
    ERR_BACKUP_CHECKSUM: true;
    /** The backup's keys are wrapped by master keys this configuration does not hold. */
    ERR_BACKUP_MASTER_KEY_MISSING: true;
    /** A server still runs on the database a restore would replace. */
    ERR_BACKUP_TARGET_IN_USE: true;
    /** The backup was stopped (Ctrl-C) before it was complete: nothing was written at its name. */
    ERR_BACKUP_INTERRUPTED: true;
  }
}

export {};
