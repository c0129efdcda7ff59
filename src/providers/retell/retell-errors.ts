// retell-sdk errors → ProviderError. The SDK's error objects keep the response body and headers,
// so they are never passed on as `cause`: only status and retryability survive.
import { APIConnectionError, APIError } from 'retell-sdk';
import { ProviderError } from '../provider-error.js';
import type { ErrorCode } from '../../errors.js';

/** What a Retell HTTP status means for us (Retell answers 422 for "not found": providers.md §4). */
export function retellStatusCode(status: number): { code: ErrorCode; retryable: boolean } {
  if (status === 401) return { code: 'ERR_PROVIDER_CREDENTIALS_INVALID', retryable: false };
  if (status === 403) return { code: 'ERR_PROVIDER_FORBIDDEN', retryable: false };
  if (status === 404 || status === 422) return { code: 'ERR_PROVIDER_NOT_FOUND', retryable: false };
  if (status === 429) return { code: 'ERR_PROVIDER_RATE_LIMITED', retryable: true };
  if (status >= 500) return { code: 'ERR_PROVIDER_UNAVAILABLE', retryable: true };
  return { code: 'ERR_PROVIDER_REJECTED', retryable: false };
}

export function toRetellProviderError(operation: string, error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof APIError && typeof error.status === 'number') {
    const { code, retryable } = retellStatusCode(error.status);
    return new ProviderError(code, {
      provider: 'retell',
      operation,
      status: error.status,
      providerCode: undefined,
      retryable,
    });
  }
  if (error instanceof APIConnectionError || error instanceof APIError) {
    // No response: connection refused or reset, timeout. The request may or may not have landed.
    return new ProviderError('ERR_PROVIDER_UNAVAILABLE', {
      provider: 'retell',
      operation,
      status: undefined,
      providerCode: undefined,
      retryable: true,
    });
  }
  throw error;
}
