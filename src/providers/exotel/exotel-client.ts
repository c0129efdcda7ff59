// Exotel over HTTP (there is no official SDK): `Calls/connect.json` form-encoded with Basic auth
// (the phone's or the tenant's API key and token), on an allow-listed host only. In sandbox mode
// https://<host>/… is sent to <sandbox>/exotel/<host>/… (providers.md §5).
import type { Secret } from '../../crypto/index.js';
import { createProviderCall, passProviderError } from '../core/provider-call.js';
import { sandboxBaseUrl } from '../core/sandbox-url.js';
import { ProviderError } from '../provider-error.js';
import { normalizeExotelHost } from './exotel-host.js';
import { sendExotelRequest } from './exotel-http.js';
import type {
  ExotelCallView,
  ExotelClientOptions,
  ExotelConnectInput,
  ExotelCredentials,
} from './exotel-types.js';

export interface ExotelClient {
  connectCall(input: ExotelConnectInput): Promise<ExotelCallView>;
  getCall(callSid: string): Promise<ExotelCallView>;
  /** A cheap authenticated read (one page of one call); throws the typed error on failure. */
  verify(): Promise<void>;
}

export function createExotelClient(
  credentials: ExotelCredentials,
  options: ExotelClientOptions,
): ExotelClient {
  // Refused here, before any request exists, when the host is not Exotel's.
  const host = normalizeExotelHost(credentials.host);
  const origin =
    options.mode === 'live'
      ? `https://${host}`
      : `${sandboxBaseUrl('exotel', options.sandboxUrl)}/exotel/${host}`;
  const account = `${origin}/v1/Accounts/${encodeURIComponent(credentials.accountSid)}`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const authorization = (token: Secret<string>): string =>
    `Basic ${Buffer.from(`${credentials.apiKey}:${token.reveal()}`, 'utf8').toString('base64')}`;

  const log = options.log;
  const call = createProviderCall(
    'exotel',
    passProviderError,
    log === undefined ? undefined : (entry) => log({ ...entry, host }),
  );
  const send = async (
    operation: string,
    method: 'GET' | 'POST',
    path: string,
    form?: URLSearchParams,
  ): Promise<unknown> => {
    const response = await call(
      operation,
      () =>
        sendExotelRequest({
          operation,
          method,
          url: `${account}${path}`,
          authorization: authorization(credentials.apiToken),
          timeoutMs,
          ...(form === undefined ? {} : { form }),
        }),
      (r) => r.status,
    );
    return response.body;
  };

  return {
    async connectCall(input) {
      const body = await send('calls.connect', 'POST', '/Calls/connect.json', connectForm(input));
      return toCallView(body, 'calls.connect');
    },
    async getCall(callSid) {
      const body = await send('calls.get', 'GET', `/Calls/${encodeURIComponent(callSid)}.json`);
      return toCallView(body, 'calls.get');
    },
    async verify() {
      await send('verify', 'GET', '/Calls.json?PageSize=1');
    },
  };
}

function connectForm(input: ExotelConnectInput): URLSearchParams {
  const form = new URLSearchParams({ From: input.from, CallerId: input.callerId });
  if (input.to !== undefined) form.set('To', input.to);
  if (input.url !== undefined) form.set('Url', input.url);
  if (input.statusCallback !== undefined) form.set('StatusCallback', input.statusCallback);
  if (input.statusCallbackContentType !== undefined)
    form.set('StatusCallbackContentType', input.statusCallbackContentType);
  for (const event of input.statusCallbackEvents ?? [])
    form.append('StatusCallbackEvents[]', event);
  if (input.timeLimit !== undefined) form.set('TimeLimit', String(input.timeLimit));
  if (input.timeOut !== undefined) form.set('TimeOut', String(input.timeOut));
  if (input.customField !== undefined) form.set('CustomField', input.customField);
  if (input.record !== undefined) form.set('Record', String(input.record));
  return form;
}

function toCallView(body: unknown, operation: string): ExotelCallView {
  const call = (body as { Call?: Record<string, unknown> } | undefined)?.Call;
  const sid = call?.Sid;
  if (call === undefined || typeof sid !== 'string') {
    throw new ProviderError('ERR_PROVIDER_UNAVAILABLE', {
      provider: 'exotel',
      operation,
      status: 200,
      providerCode: undefined,
      retryable: false,
    });
  }
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return {
    callSid: sid,
    status: str(call.Status) ?? 'unknown',
    from: str(call.From),
    to: str(call.To),
    callerId: str(call.PhoneNumberSid),
    dateCreated: str(call.DateCreated),
  };
}
