// One Exotel v1 request over fetch: Basic auth, form body, `.json` paths, RestException errors
// mapped to ProviderError. Its Message is kept only cleaned (core/vendor-detail.ts: numbers
// masked, secret-like runs redacted), as the error's providerDetail, never in the error message.
import { ProviderError } from '../provider-error.js';
import type { ErrorCode } from '../../errors.js';
import { classifyStatus, type StatusClass, type StatusOverrides } from '../core/provider-status.js';
import { providerDetailOf, type ProviderDetail } from '../core/vendor-detail.js';

export interface ExotelRequest {
  operation: string;
  method: 'GET' | 'POST';
  url: string;
  authorization: string;
  form?: URLSearchParams;
  timeoutMs: number;
}

export interface ExotelResponse {
  status: number;
  body: unknown;
}

const EXOTEL_STATUSES: StatusOverrides = {
  403: { code: 'ERR_PROVIDER_CREDENTIALS_INVALID', retryable: false },
};

/** Exotel's statuses (providers.md §5: a 401 or 403 means the key/token pair is not accepted). */
export function exotelStatusCode(status: number): StatusClass {
  return classifyStatus(status, EXOTEL_STATUSES);
}

export async function sendExotelRequest(request: ExotelRequest): Promise<ExotelResponse> {
  const fail = (
    code: ErrorCode,
    status: number | undefined,
    retryable: boolean,
    providerCode?: string | number,
    providerDetail?: ProviderDetail,
  ) =>
    new ProviderError(code, {
      provider: 'exotel',
      operation: request.operation,
      status,
      providerCode,
      retryable,
      providerDetail,
    });
  let response: Response;
  let text: string;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: {
        authorization: request.authorization,
        accept: 'application/json',
        ...(request.form === undefined
          ? {}
          : { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(request.form === undefined ? {} : { body: request.form.toString() }),
      signal: AbortSignal.timeout(request.timeoutMs),
      // Never followed: a 3xx comes back as it is and becomes ERR_PROVIDER_REDIRECTED below.
      redirect: 'manual',
    });
    text = await response.text();
  } catch {
    // Refused, reset or timed out: no usable answer. The error object is not kept.
    throw fail('ERR_PROVIDER_UNAVAILABLE', undefined, true);
  }
  const body = parseJson(text);
  if (response.status >= 200 && response.status < 300) {
    if (body === undefined) throw fail('ERR_PROVIDER_UNAVAILABLE', response.status, false);
    return { status: response.status, body };
  }
  const { code, retryable } = exotelStatusCode(response.status);
  throw fail(code, response.status, retryable, restExceptionCode(body), restExceptionDetail(body));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

interface RestException {
  Code?: unknown;
  Message?: unknown;
  MoreInfo?: unknown;
}

function restException(body: unknown): RestException | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const exception = (body as { RestException?: unknown }).RestException;
  return typeof exception === 'object' && exception !== null ? exception : undefined;
}

/** `RestException.Code` when Exotel sent one. */
function restExceptionCode(body: unknown): string | number | undefined {
  const code = restException(body)?.Code;
  return typeof code === 'string' || typeof code === 'number' ? code : undefined;
}

/** What Exotel said (Code, Message, MoreInfo), cleaned. */
function restExceptionDetail(body: unknown): ProviderDetail | undefined {
  const e = restException(body);
  if (e === undefined) return undefined;
  return providerDetailOf('exotel', { code: e.Code, message: e.Message, moreInfo: e.MoreInfo });
}
