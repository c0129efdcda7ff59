// The codes the key hierarchy raises: master keys, tenant keys, rotations.
declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    ERR_KEYS_MASTER_UNKNOWN: true;
    ERR_KEYS_MISSING: true;
    ERR_KEYS_IN_USE: true;
    ERR_KEYS_ROTATION_RUNNING: true;
    ERR_KEYS_ROTATION_CONFLICT: true;
    /** A tenant's keys do not load (a wrapped key does not unwrap, or is missing): 503. */
    ERR_TENANT_KEYS_UNAVAILABLE: true;
    /** This node does not hold the store's current master key, so it wraps nothing: 503. */
    ERR_MASTER_KEY_STALE: true;
    /** A key is wrapped by a master key this node is not configured with: 503. */
    ERR_MASTER_KEY_UNKNOWN: true;
    /** A master key cannot become current: a running node has not declared it. */
    ERR_MASTER_KEY_NOT_DECLARED: true;
  }
}

export {};
