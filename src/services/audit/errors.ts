// The code the audit log raises when an event cannot be made durable (nothing is then done).
declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    ERR_AUDIT_UNAVAILABLE: true;
  }
}

export {};
