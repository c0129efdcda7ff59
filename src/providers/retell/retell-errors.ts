// retell-sdk errors → ProviderError. The SDK's error objects keep the response body and headers,
// so they are never passed on as `cause`: only status, retryability and Retell's own message
// (`{ status: "error", message }` in its spec; cleaned by core/vendor-detail.ts) survive.
import { APIConnectionError, APIError } from 'retell-sdk';
import { ProviderError } from '../provider-error.js';
import {
  classifyStatus,
  providerUnavailableError,
  type StatusClass,
  type StatusOverrides,
} from '../core/provider-status.js';
import { providerDetailOf } from '../core/vendor-detail.js';

const RETELL_STATUSES: StatusOverrides = {
  422: { code: 'ERR_PROVIDER_NOT_FOUND', retryable: false },
};

/** What a Retell HTTP status means for us (Retell answers 422 for "not found": providers.md §4). */
export function retellStatusCode(status: number): StatusClass {
  return classifyStatus(status, RETELL_STATUSES);
}

/** Retell's message: `message` per its spec, `error_message` in some of its answers. */
function retellMessage(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { message?: unknown; error_message?: unknown };
  return b.message ?? b.error_message;
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
      providerDetail: providerDetailOf('retell', { message: retellMessage(error.error) }),
    });
  }
  if (error instanceof APIConnectionError || error instanceof APIError) {
    // No response: connection refused or reset, timeout. The request may or may not have landed.
    return providerUnavailableError('retell', operation);
  }
  throw error;
}
