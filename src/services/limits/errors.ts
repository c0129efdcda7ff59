// The codes of the limits: a client over one of them is told to come back later.
declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    ERR_AUTH_RATE_LIMITED: true;
  }
}

export {};
