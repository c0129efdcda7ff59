// The codes of Idempotency-Key requests (the refusals are in refusals.ts: this file is imported by
// src/errors.ts, so it imports nothing).

declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    /** The key was used before with another request (method, route or body). */
    ERR_IDEMPOTENCY_KEY_REUSED: true;
    /** A request with this key is still running (here or on another node): retry later. */
    ERR_IDEMPOTENCY_IN_PROGRESS: true;
    /** A request with this key reached the provider and its outcome was never recorded. */
    ERR_IDEMPOTENCY_OUTCOME_UNKNOWN: true;
  }
}

export {};
