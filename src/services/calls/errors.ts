// The codes of calls and access tokens.
declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    /** The phone has no Exotel account of its own, and the tenant does not allow its own. */
    ERR_PHONE_NO_CREDENTIALS: true;
    /** Access tokens are signed with an API key, which the tenant's Twilio credentials lack. */
    ERR_TWILIO_API_KEY_REQUIRED: true;
  }
}

export {};
