// The one error base of the project. It lives here because crypto/ imports nothing from the rest of
// the project. Each layer declares the codes it raises beside its own code, by adding them to
// `ErrorCodes` (declaration merging: `declare module '…/crypto/errors.js'`); `src/errors.ts` pulls
// every layer's declarations in, so the union is whole wherever TelvaultError is imported.

/** The codes the encryption core raises; other layers merge theirs into this interface. */
export interface ErrorCodes {
  ERR_CRYPTO_DECRYPT_FAILED: true;
  ERR_CRYPTO_KEY_UNKNOWN: true;
  ERR_CRYPTO_KEY_RETIRED: true;
  ERR_CRYPTO_KEY_INVALID: true;
  ERR_CRYPTO_ENVELOPE_MALFORMED: true;
  ERR_CRYPTO_ARGUMENT: true;
  ERR_LEGACY_INPUT_INVALID: true;
  ERR_LEGACY_PARAMS_INVALID: true;
  ERR_LEGACY_SCHEME_UNKNOWN: true;
  ERR_LEGACY_DECRYPT_FAILED: true;
}

/** Every error code telvault raises. Only the HTTP error handler maps codes to statuses. */
export type ErrorCode = keyof ErrorCodes;

export class TelvaultError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TelvaultError';
    this.code = code;
  }
}
