// One mapping from a provider's HTTP status to telvault's error code and retryability, shared by
// every provider client. What a 403 means is each provider's call (SendGrid: unverified sender).
import type { ErrorCode } from '../../errors.js';
import { ProviderError, type ProviderName } from '../provider-error.js';
import type { ProviderDetail } from './vendor-detail.js';

export interface StatusClass {
  code: ErrorCode;
  retryable: boolean;
}

/** Statuses a provider gives its own meaning (a 403 is each provider's call), by status. */
export type StatusOverrides = Readonly<Partial<Record<number, StatusClass>>>;

export function classifyStatus(status: number, overrides: StatusOverrides = {}): StatusClass {
  const own = overrides[status];
  if (own !== undefined) return own;
  // A redirect is never followed: the next host would receive the request (and maybe the key).
  if (status >= 300 && status < 400) return { code: 'ERR_PROVIDER_REDIRECTED', retryable: false };
  if (status === 401) return { code: 'ERR_PROVIDER_CREDENTIALS_INVALID', retryable: false };
  if (status === 403) return { code: 'ERR_PROVIDER_FORBIDDEN', retryable: false };
  if (status === 404) return { code: 'ERR_PROVIDER_NOT_FOUND', retryable: false };
  if (status === 429) return { code: 'ERR_PROVIDER_RATE_LIMITED', retryable: true };
  if (status >= 500) return { code: 'ERR_PROVIDER_UNAVAILABLE', retryable: true };
  return { code: 'ERR_PROVIDER_REJECTED', retryable: false };
}

/**
 * A provider answered with an error status. No vendor body and no SDK error is kept, only what
 * the provider said, cleaned (`providerDetail`, from core/vendor-detail.ts).
 */
export function providerStatusError(
  provider: ProviderName,
  operation: string,
  status: number,
  providerCode: string | number | undefined,
  providerDetail?: ProviderDetail,
): ProviderError {
  const { code, retryable } = classifyStatus(status);
  return new ProviderError(code, {
    provider,
    operation,
    status,
    providerCode,
    retryable,
    providerDetail,
  });
}

/** No response arrived: network error, timeout, or a connection dropped after the request. */
export function providerUnavailableError(provider: ProviderName, operation: string): ProviderError {
  return new ProviderError('ERR_PROVIDER_UNAVAILABLE', {
    provider,
    operation,
    status: undefined,
    providerCode: undefined,
    retryable: true,
  });
}
