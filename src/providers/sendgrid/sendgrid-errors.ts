// @sendgrid errors → ProviderError. ResponseError keeps the response headers and body and axios
// errors keep the request (Authorization header, mail body), so neither is kept as `cause`.
import { ProviderError } from '../provider-error.js';
import {
  classifyStatus,
  providerUnavailableError,
  type StatusClass,
  type StatusOverrides,
} from '../core/provider-status.js';
import { providerDetailOf } from '../core/vendor-detail.js';

const SENDGRID_STATUSES: StatusOverrides = {
  403: { code: 'ERR_PROVIDER_FORBIDDEN', retryable: false },
};

/**
 * SendGrid's statuses. A 403 comes with a valid key: the sender is not a verified Sender
 * Identity, or the key lacks the scope ("access forbidden"); the key itself is fine.
 */
export function sendgridStatusCode(status: number): StatusClass {
  return classifyStatus(status, SENDGRID_STATUSES);
}

/**
 * SendGrid answers 403 both for a key without `mail.send` and for a from address that is not a
 * verified Sender Identity; only the latter names the `from` field in its errors. Only the field
 * name is read from the body, never its text.
 */
export const SENDER_NOT_VERIFIED = 'sender_not_verified';

function namesFrom(response: unknown): boolean {
  const body = (response as { body?: unknown } | undefined)?.body;
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  return (
    Array.isArray(errors) &&
    errors.some((x) => {
      const field = (x as { field?: unknown } | null)?.field;
      return field === 'from' || field === 'from.email';
    })
  );
}

/**
 * SendGrid's explanation: its errors[] as "field: message" (joined), and the first `help` link.
 * Cleaned by core/vendor-detail.ts like every vendor message.
 */
function sendgridDetail(response: unknown): ReturnType<typeof providerDetailOf> {
  const body = (response as { body?: unknown } | undefined)?.body;
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return undefined;
  type Item = { message?: unknown; field?: unknown; help?: unknown };
  const items = (errors as unknown[])
    .slice(0, 5)
    .map((x): Item => (typeof x === 'object' && x !== null ? (x as Item) : {}));
  const message = items
    .filter((x) => typeof x.message === 'string')
    .map((x) => (typeof x.field === 'string' ? `${x.field}: ${String(x.message)}` : x.message))
    .join('; ');
  const help = items.find((x) => typeof x.help === 'string')?.help;
  return providerDetailOf('sendgrid', { message, moreInfo: help });
}

export function toSendgridProviderError(operation: string, error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  const details = { provider: 'sendgrid' as const, operation, providerCode: undefined };
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    response?: { status?: unknown } | undefined;
    isAxiosError?: unknown;
  };
  // ResponseError (4xx/5xx: code is the status), or axios's own error for any other status the
  // client does not accept (a 3xx, since redirects are not followed).
  const status =
    typeof e.code === 'number' && e.response !== undefined
      ? e.code
      : e.isAxiosError === true && typeof e.response?.status === 'number'
        ? e.response.status
        : undefined;
  if (status !== undefined) {
    const { code, retryable } = sendgridStatusCode(status);
    const providerCode = status === 403 && namesFrom(e.response) ? SENDER_NOT_VERIFIED : undefined;
    const providerDetail = sendgridDetail(e.response);
    return new ProviderError(code, { ...details, status, retryable, providerCode, providerDetail });
  }
  // No response: refused, reset, timed out.
  if (e.isAxiosError === true) return providerUnavailableError('sendgrid', operation);
  // The SDK refused the message before sending it (e.g. no recipient).
  return new ProviderError('ERR_PROVIDER_REJECTED', {
    ...details,
    status: undefined,
    retryable: false,
  });
}
