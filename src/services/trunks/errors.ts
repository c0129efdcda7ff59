// The codes of SIP trunks and their provisioning workflow.
declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    /** The tenant has no trunk yet (PUT …/trunk sets one up). */
    ERR_TRUNK_NOT_FOUND: true;
    /** Another run of the tenant's trunk workflow holds the lease (answered with Retry-After). */
    ERR_TRUNK_BUSY: true;
    /** The run this request joined ended failed; the trunk view names the step and the code. */
    ERR_TRUNK_SETUP_FAILED: true;
    /** What was asked conflicts with the trunk the tenant has (another trunk sid to adopt). */
    ERR_TRUNK_CONFLICT: true;
    /** What `adopt` names does not fit what the provider shows (no such credential, …). */
    ERR_TRUNK_ADOPT_INVALID: true;
  }
}

export {};
