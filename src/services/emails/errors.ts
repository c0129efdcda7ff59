// The codes of email.
declare module '../../crypto/errors.js' {
  interface ErrorCodes {
    /** SendGrid refused the from address: it is not a verified Sender Identity of the account. */
    ERR_EMAIL_SENDER_NOT_VERIFIED: true;
  }
}

export {};
