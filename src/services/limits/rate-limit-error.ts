// A refusal that names when to retry: the HTTP error handler turns `retryAfterSeconds` into the
// Retry-After header, whatever the code (failed authentications, and later calls and messages).
import { TelvaultError, type ErrorCode } from '../../errors.js';

export class RateLimitError extends TelvaultError {
  /** Whole seconds, at least 1, until the client's window ends. */
  readonly retryAfterSeconds: number;

  constructor(code: ErrorCode, message: string, retryAfterSeconds: number) {
    super(code, message);
    this.name = 'RateLimitError';
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}
