// Every failure of a Twilio call becomes one ProviderError. Only the HTTP status and Twilio's
// numeric code survive: the SDK's error objects can carry request data (passwords) and are
// never kept as `cause`.
import { ProviderError } from '../provider-error.js';
import { providerStatusError, providerUnavailableError } from '../core/provider-status.js';

interface StatusLike {
  status: number;
  code?: unknown;
}

/** RestException / TwilioServiceException: an HTTP answer outside 2xx (status = HTTP status). */
function twilioAnswer(err: unknown): StatusLike | undefined {
  if (!(err instanceof Error) || 'isAxiosError' in err) return undefined;
  const status = (err as Partial<StatusLike>).status;
  return typeof status === 'number'
    ? { status, code: (err as unknown as StatusLike).code }
    : undefined;
}

function isNetworkError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  if ((err as { isAxiosError?: unknown }).isAxiosError === true) return true;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^(E[A-Z_]+|ERR_[A-Z_]+)$/.test(code);
}

export function toTwilioError(err: unknown, operation: string): ProviderError {
  if (err instanceof ProviderError) return err;
  const answer = twilioAnswer(err);
  if (answer !== undefined) {
    const code =
      typeof answer.code === 'number' || typeof answer.code === 'string' ? answer.code : undefined;
    return providerStatusError('twilio', operation, answer.status, code);
  }
  if (isNetworkError(err)) return providerUnavailableError('twilio', operation);
  // The SDK refused the call before sending it (bad parameter) or could not read the answer.
  return new ProviderError('ERR_PROVIDER_REJECTED', {
    provider: 'twilio',
    operation,
    status: undefined,
    providerCode: undefined,
    retryable: false,
  });
}
