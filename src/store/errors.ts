// The codes the storage layer raises (see crypto/errors.ts for how codes are declared).
declare module '../crypto/errors.js' {
  interface ErrorCodes {
    ERR_STORE_MIGRATION: true;
    /** `telvault migrate`: a source value of a type the schema does not hold (names the column). */
    ERR_MIGRATE_VALUE: true;
  }
}

export {};
