// Every failure of a Twilio call becomes one ProviderError. Only the HTTP status, Twilio's
// numeric code and Twilio's explanation (its body's message and more_info, cleaned by
// core/vendor-detail.ts) survive: the SDK's error objects can carry request data (passwords) and
// are never kept as `cause`.
import { ProviderError } from '../provider-error.js';
import { providerStatusError, providerUnavailableError } from '../core/provider-status.js';
import { providerDetailOf } from '../core/vendor-detail.js';
import { TwilioRedirectError } from './twilio-request-client.js';

interface StatusLike {
  status: number;
  code?: unknown;
  message?: unknown;
  moreInfo?: unknown;
}

/** RestException / TwilioServiceException: an HTTP answer outside 2xx (status = HTTP status). */
function twilioAnswer(err: unknown): StatusLike | undefined {
  if (!(err instanceof Error) || 'isAxiosError' in err) return undefined;
  const e = err as Error & Partial<StatusLike>;
  if (typeof e.status !== 'number') return undefined;
  if (err instanceof TwilioRedirectError) return { status: e.status };
  // Without a JSON body the SDK writes its own "[HTTP 400] Failed to execute request".
  const said = e.message.startsWith('[HTTP ') ? undefined : e.message;
  return { status: e.status, code: e.code, message: said, moreInfo: e.moreInfo };
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
    const detail = providerDetailOf('twilio', answer);
    return providerStatusError('twilio', operation, answer.status, code, detail);
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
