// The codes of tenant management.
declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    /** Deleting the tenant would orphan its trunk or trunk numbers at the providers. */
    ERR_TENANT_HAS_PROVIDER_RESOURCES: true;
    /** Another tenant already has this external id. */
    ERR_TENANT_EXTERNAL_ID_TAKEN: true;
  }
}

export {};
