// The one place that maps error codes to HTTP statuses. Anything that is not a TelvaultError with a
// known client-facing code becomes a generic 500 carrying only the request id.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { TelvaultError, type ErrorCode } from '../errors.js';
import type { ProviderDetail } from '../providers/core/vendor-detail.js';
import { ProviderError } from '../providers/provider-error.js';
import { RateLimitError } from '../services/limits/index.js';
import { MAX_PATH_SEGMENT } from './route-match.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  ERR_VALIDATION: 400,
  ERR_PROVIDER_HOST_NOT_ALLOWED: 400,
  ERR_PHONE_INVALID: 400,
  ERR_PHONE_TYPE_NOT_ALLOWED: 400,
  ERR_TRUNK_ADOPT_INVALID: 400,
  ERR_PHONE_NO_CREDENTIALS: 400,
  ERR_PHONE_COUNTRY_NOT_ALLOWED: 400,
  ERR_TWILIO_API_KEY_REQUIRED: 400,
  ERR_EMAIL_SENDER_NOT_VERIFIED: 400,
  ERR_AUTH_MISSING: 401,
  ERR_AUTH_INVALID: 401,
  ERR_AUTH_FORBIDDEN: 403,
  ERR_WEBHOOK_SIGNATURE_INVALID: 403,
  ERR_NOT_FOUND: 404,
  ERR_TRUNK_NOT_FOUND: 404,
  ERR_HTTP_METHOD_NOT_ALLOWED: 405,
  ERR_CONFLICT: 409,
  ERR_PHONE_EXISTS: 409,
  ERR_TRUNK_BUSY: 409,
  ERR_TRUNK_CONFLICT: 409,
  ERR_TENANT_HAS_PROVIDER_RESOURCES: 409,
  ERR_TENANT_EXTERNAL_ID_TAKEN: 409,
  ERR_KEYS_ROTATION_CONFLICT: 409,
  ERR_RECORD_CONDITION_FAILED: 409,
  ERR_KEYS_IN_USE: 409,
  ERR_KEYS_ROTATION_RUNNING: 409,
  ERR_PROVIDER_NOT_CONFIGURED: 409,
  ERR_IDEMPOTENCY_IN_PROGRESS: 409,
  ERR_IDEMPOTENCY_OUTCOME_UNKNOWN: 409,
  ERR_HTTP_BODY_TOO_LARGE: 413,
  ERR_HTTP_URI_TOO_LONG: 414,
  ERR_HTTP_MEDIA_TYPE: 415,
  ERR_IDEMPOTENCY_KEY_REUSED: 422,
  ERR_RATE_LIMITED: 429,
  ERR_AUTH_RATE_LIMITED: 429,
  ERR_PROVIDER_CREDENTIALS_INVALID: 502,
  ERR_PROVIDER_FORBIDDEN: 502,
  ERR_PROVIDER_NOT_FOUND: 502,
  ERR_PROVIDER_REJECTED: 502,
  ERR_PROVIDER_REDIRECTED: 502,
  ERR_TRUNK_SETUP_FAILED: 502,
  ERR_PROVIDER_RATE_LIMITED: 503,
  ERR_PROVIDER_UNAVAILABLE: 503,
  ERR_AUDIT_UNAVAILABLE: 503,
  ERR_RATE_LIMIT_UNAVAILABLE: 503,
  ERR_UNAVAILABLE: 503,
  ERR_TENANT_KEYS_UNAVAILABLE: 503,
  ERR_MASTER_KEY_STALE: 503,
  ERR_MASTER_KEY_UNKNOWN: 503,
};

/** Codes whose message may be shown (they are written for clients and never hold a value). */
const SHOW_MESSAGE = new Set<ErrorCode>(Object.keys(STATUS) as ErrorCode[]);

/** Every code this handler answers with its own status (the rest are a 500). */
export const HTTP_ERROR_CODES: readonly ErrorCode[] = [...SHOW_MESSAGE];

/** Said when a typed error arrives without a message: every error answer explains itself. */
const FALLBACK_MESSAGE: Record<number, string> = {
  400: 'the request is not valid',
  401: 'authorization: a valid Bearer token is required',
  403: 'the token may not do this',
  404: 'not found',
  405: 'method not allowed',
  409: 'conflict with the current state: read it again before retrying',
  413: 'body: too large',
  414: 'path: too long',
  415: 'body: content type must be application/json',
  422: 'the request cannot be processed as sent',
  429: 'too many requests: retry later',
  502: 'the provider refused the request',
  503: 'unavailable: retry later',
};

export interface ErrorBody {
  error: { code: string; message: string; requestId: string; provider?: ProviderDetail };
}

export function errorBody(
  code: string,
  message: string,
  requestId: string,
  provider?: ProviderDetail,
): ErrorBody {
  return { error: { code, message, requestId, ...(provider === undefined ? {} : { provider }) } };
}

/**
 * What the provider said about a refusal (already cleaned where the ProviderError was made: numbers
 * masked, secret-like runs redacted), from the error or the provider error it wraps.
 */
function providerDetailOf(err: unknown): ProviderDetail | undefined {
  if (err instanceof ProviderError) return err.providerDetail;
  const cause = err instanceof Error ? err.cause : undefined;
  return cause instanceof ProviderError ? cause.providerDetail : undefined;
}

/** Fastify's own client errors (body parsing), with fixed messages: theirs can quote the body. */
function fromFastify(err: FastifyError): TelvaultError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new TelvaultError('ERR_HTTP_BODY_TOO_LARGE', 'body: too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new TelvaultError(
        'ERR_HTTP_MEDIA_TYPE',
        'body: content type must be application/json',
      );
    case 'FST_ERR_BAD_URL':
      return new TelvaultError('ERR_VALIDATION', 'path: must be percent-encoded UTF-8');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new TelvaultError(
        'ERR_HTTP_URI_TOO_LONG',
        `path: each segment must be at most ${MAX_PATH_SEGMENT} characters`,
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new TelvaultError(
        'ERR_VALIDATION',
        'body: must not be empty with content-type application/json',
      );
    default:
      break;
  }
  if (err instanceof SyntaxError || err.statusCode === 400) {
    return new TelvaultError('ERR_VALIDATION', 'body: must be valid JSON');
  }
  return undefined;
}

export function toHttpError(err: unknown): {
  status: number;
  code: string;
  message: string;
  internal: boolean;
} {
  const known =
    err instanceof TelvaultError
      ? err
      : typeof err === 'object' && err !== null
        ? fromFastify(err as FastifyError)
        : undefined;
  const status = known === undefined ? undefined : STATUS[known.code];
  if (known === undefined || status === undefined || !SHOW_MESSAGE.has(known.code)) {
    return { status: 500, code: 'ERR_INTERNAL', message: 'internal error', internal: true };
  }
  const message = known.message.trim() === '' ? FALLBACK_MESSAGE[status] : known.message;
  return { status, code: known.code, message: message ?? 'request refused', internal: false };
}

/**
 * What a 5xx typed error came from, for the operator's log: a typed cause's code and message (they
 * name the field, stream or key, never a value), or only the code of any other cause.
 */
function causeOf(err: unknown): { code: string; message?: string } | undefined {
  const cause = err instanceof Error ? err.cause : undefined;
  if (cause instanceof TelvaultError) return { code: cause.code, message: cause.message };
  const code = (cause as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? { code } : undefined;
}

export function errorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const e = toHttpError(err);
  if (e.internal) request.log.error({ err }, 'request failed');
  else if (e.status >= 500)
    request.log.warn({ code: e.code, cause: causeOf(err) }, 'request failed');
  else request.log.info({ code: e.code, status: e.status }, 'request rejected');
  if (err instanceof RateLimitError && !e.internal) {
    void reply.header('retry-after', String(err.retryAfterSeconds));
    for (const [name, value] of Object.entries(err.headers)) void reply.header(name, value);
  }
  const provider = e.internal ? undefined : providerDetailOf(err);
  void reply.code(e.status).send(errorBody(e.code, e.message, request.id, provider));
}
