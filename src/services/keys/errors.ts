// The codes the key hierarchy raises: master keys, tenant keys, rotations.
declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    ERR_KEYS_MASTER_UNKNOWN: true;
    ERR_KEYS_MISSING: true;
    ERR_KEYS_IN_USE: true;
    ERR_KEYS_ROTATION_RUNNING: true;
    ERR_KEYS_ROTATION_CONFLICT: true;
  }
}

export {};
