// @sendgrid errors → ProviderError. ResponseError keeps the response headers and body and axios
// errors keep the request (Authorization header, mail body), so neither is kept as `cause`.
import { ProviderError } from '../provider-error.js';
import type { ErrorCode } from '../../errors.js';

/**
 * SendGrid's statuses. A 403 comes with a valid key: the sender is not a verified Sender
 * Identity, or the key lacks the scope ("access forbidden"); the key itself is fine.
 */
export function sendgridStatusCode(status: number): { code: ErrorCode; retryable: boolean } {
  if (status === 401) return { code: 'ERR_PROVIDER_CREDENTIALS_INVALID', retryable: false };
  if (status === 403) return { code: 'ERR_PROVIDER_FORBIDDEN', retryable: false };
  if (status === 404) return { code: 'ERR_PROVIDER_NOT_FOUND', retryable: false };
  if (status === 429) return { code: 'ERR_PROVIDER_RATE_LIMITED', retryable: true };
  if (status >= 500) return { code: 'ERR_PROVIDER_UNAVAILABLE', retryable: true };
  return { code: 'ERR_PROVIDER_REJECTED', retryable: false };
}

export function toSendgridProviderError(operation: string, error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const details = { provider: 'sendgrid' as const, operation, providerCode: undefined };
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    response?: unknown;
    isAxiosError?: unknown;
  };
  if (typeof e.code === 'number' && e.response !== undefined) {
    const { code, retryable } = sendgridStatusCode(e.code);
    return new ProviderError(code, { ...details, status: e.code, retryable });
  }
  if (e.isAxiosError === true) {
    // No response: refused, reset, timed out.
    return new ProviderError('ERR_PROVIDER_UNAVAILABLE', {
      ...details,
      status: undefined,
      retryable: true,
    });
  }
  // The SDK refused the message before sending it (e.g. no recipient).
  return new ProviderError('ERR_PROVIDER_REJECTED', {
    ...details,
    status: undefined,
    retryable: false,
  });
}
