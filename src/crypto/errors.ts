// The one error base of the project. It lives here because crypto/ imports nothing from the rest of
// the project; every other layer imports it (through src/errors.ts) and adds to the code union.

/** Every error code telvault raises. Only the HTTP error handler maps codes to statuses. */
export type ErrorCode =
  // crypto
  | 'ERR_CRYPTO_DECRYPT_FAILED'
  | 'ERR_CRYPTO_KEY_UNKNOWN'
  | 'ERR_CRYPTO_KEY_RETIRED'
  | 'ERR_CRYPTO_KEY_INVALID'
  | 'ERR_CRYPTO_ENVELOPE_MALFORMED'
  | 'ERR_CRYPTO_ARGUMENT'
  | 'ERR_LEGACY_INPUT_INVALID'
  | 'ERR_LEGACY_PARAMS_INVALID'
  | 'ERR_LEGACY_SCHEME_UNKNOWN'
  | 'ERR_LEGACY_DECRYPT_FAILED'
  // configuration and start-up
  | 'ERR_CONFIG_INVALID'
  | 'ERR_CONFIG_MISSING'
  // keys and storage
  | 'ERR_KEYS_MASTER_UNKNOWN'
  | 'ERR_KEYS_MISSING'
  | 'ERR_KEYS_IN_USE'
  | 'ERR_KEYS_ROTATION_RUNNING'
  | 'ERR_STORE_CONFLICT'
  | 'ERR_STORE_NOT_FOUND'
  | 'ERR_STORE_MIGRATION'
  // API
  | 'ERR_VALIDATION'
  | 'ERR_AUTH_MISSING'
  | 'ERR_AUTH_INVALID'
  | 'ERR_AUTH_FORBIDDEN'
  | 'ERR_NOT_FOUND'
  | 'ERR_CONFLICT'
  | 'ERR_RATE_LIMITED'
  | 'ERR_AUDIT_UNAVAILABLE'
  | 'ERR_INTERNAL'
  | 'ERR_UNAVAILABLE'
  | 'ERR_HTTP_BODY_TOO_LARGE'
  | 'ERR_HTTP_MEDIA_TYPE'
  // providers
  | 'ERR_PROVIDER_CREDENTIALS_INVALID'
  | 'ERR_PROVIDER_FORBIDDEN'
  | 'ERR_PROVIDER_NOT_FOUND'
  | 'ERR_PROVIDER_REJECTED'
  | 'ERR_PROVIDER_RATE_LIMITED'
  | 'ERR_PROVIDER_UNAVAILABLE'
  | 'ERR_PROVIDER_NOT_CONFIGURED'
  | 'ERR_PROVIDER_HOST_NOT_ALLOWED';

export class TelvaultError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TelvaultError';
    this.code = code;
  }
}
