// The codes of webhooks.
declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    /** A provider callback whose signature (or per-call token) does not check out: changes nothing. */
    ERR_WEBHOOK_SIGNATURE_INVALID: true;
  }
}

export {};
