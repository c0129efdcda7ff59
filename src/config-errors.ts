// The codes of configuration and start-up.
declare module './crypto/errors.js' {
  interface ErrorCodes {
    ERR_CONFIG_INVALID: true;
    ERR_CONFIG_MISSING: true;
    ERR_CONFIG_PORT_IN_USE: true;
  }
}

export {};
