// The code of a conditional record write whose condition no longer holds (see encrypted-records.ts).
declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    ERR_RECORD_CONDITION_FAILED: true;
  }
}

export {};
