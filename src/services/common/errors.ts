// The codes every domain raises: bad input, a missing or concurrently changed record, limits, and the generic failure.
declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    ERR_VALIDATION: true;
    ERR_NOT_FOUND: true;
    ERR_CONFLICT: true;
    ERR_RATE_LIMITED: true;
    ERR_UNAVAILABLE: true;
    ERR_INTERNAL: true;
  }
}

export {};
