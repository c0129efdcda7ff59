// The codes of authentication and authorization.
declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    ERR_AUTH_MISSING: true;
    ERR_AUTH_INVALID: true;
    ERR_AUTH_FORBIDDEN: true;
  }
}

export {};
