// The codes of `telvault migrate` (see crypto/errors.ts for how codes are declared). Every refusal
// comes before the target is written, except a failed check after the copy (the copy stays, and a
// re-run checks again).
declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    /** `--to` is not a usable PostgreSQL URL, or its database cannot be reached. */
    ERR_MIGRATE_TARGET_INVALID: true;
    /** The target holds telvault rows, another schema version, or another source's migration. */
    ERR_MIGRATE_TARGET_NOT_EMPTY: true;
    /** The configured source is not a SQLite deployment this telvault can copy, or is in use. */
    ERR_MIGRATE_SOURCE_INVALID: true;
    /** The configured master keys cannot open the source's keys. */
    ERR_MIGRATE_KEYS: true;
    /** After the copy, a count, a digest or an audit chain does not match. */
    ERR_MIGRATE_VERIFY_FAILED: true;
  }
}

export {};
