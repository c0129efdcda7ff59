// The codes of phone numbers and phones.
declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    ERR_PHONE_INVALID: true;
    ERR_PHONE_TYPE_NOT_ALLOWED: true;
    /** The number is already a phone of the tenant (whatever format it was typed in). */
    ERR_PHONE_EXISTS: true;
    /** A call or message to a region the tenant's settings do not allow. */
    ERR_PHONE_COUNTRY_NOT_ALLOWED: true;
  }
}

export {};
