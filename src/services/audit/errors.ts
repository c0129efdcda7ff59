// The codes the audit log raises: an event that cannot be made durable (nothing is then done), a
// stream whose head row is missing or does not match its MAC (appends to it stop until repaired),
// and a head file that is not one `telvault audit head` printed with this deployment's audit key.
declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    ERR_AUDIT_UNAVAILABLE: true;
    ERR_AUDIT_STREAM_BROKEN: true;
    ERR_AUDIT_HEAD_INVALID: true;
  }
}

export {};
