// retell-sdk errors → ProviderError. The SDK's error objects keep the response body and headers,
// so they are never passed on as `cause`: only status and retryability survive.
import { APIConnectionError, APIError } from 'retell-sdk';
import { ProviderError } from '../provider-error.js';
import {
  classifyStatus,
  providerUnavailableError,
  type StatusClass,
  type StatusOverrides,
} from '../core/provider-status.js';

const RETELL_STATUSES: StatusOverrides = {
  422: { code: 'ERR_PROVIDER_NOT_FOUND', retryable: false },
};

/** What a Retell HTTP status means for us (Retell answers 422 for "not found": providers.md §4). */
export function retellStatusCode(status: number): StatusClass {
  return classifyStatus(status, RETELL_STATUSES);
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
    return providerUnavailableError('retell', operation);
  }
  throw error;
}
