// The codes of the limits: a client over one of them is told to come back later; a limit that
// must hold (outbound calls and messages) and cannot be checked refuses instead of guessing.
declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    ERR_AUTH_RATE_LIMITED: true;
    ERR_RATE_LIMIT_UNAVAILABLE: true;
  }
}

export {};
