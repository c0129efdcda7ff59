// A refusal that names when to retry: the HTTP error handler turns `retryAfterSeconds` into the
// Retry-After header, whatever the code (failed authentications, calls and messages), and sets the
// RateLimit headers it carries (outbound limits) so a refused client sees which window refused it.
import { TelvaultError, type ErrorCode } from '../../errors.js';

export class RateLimitError extends TelvaultError {
  /** Whole seconds, at least 1, until the client's window ends. */
  readonly retryAfterSeconds: number;
  /** Response headers to send with the refusal (names lower or mixed case, values final). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode,
    message: string,
    retryAfterSeconds: number,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(code, message);
    this.name = 'RateLimitError';
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
    this.headers = headers;
  }
}
