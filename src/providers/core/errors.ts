// The codes of provider calls (see provider-error.ts).
declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    ERR_PROVIDER_CREDENTIALS_INVALID: true;
    ERR_PROVIDER_FORBIDDEN: true;
    ERR_PROVIDER_NOT_FOUND: true;
    ERR_PROVIDER_REJECTED: true;
    ERR_PROVIDER_RATE_LIMITED: true;
    ERR_PROVIDER_UNAVAILABLE: true;
    ERR_PROVIDER_NOT_CONFIGURED: true;
    ERR_PROVIDER_HOST_NOT_ALLOWED: true;
    /** The provider answered 3xx: never followed (the next host would get the request). */
    ERR_PROVIDER_REDIRECTED: true;
  }
}

export {};
