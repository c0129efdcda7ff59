// The codes the storage layer raises (see crypto/errors.ts for how codes are declared).
declare module '../crypto/errors.js' {
  interface ErrorCodes {
    ERR_STORE_MIGRATION: true;
  }
}

export {};
