// The Twilio SDK's http client, subclassed: in sandbox mode it sends https://api.twilio.com/… to
// <sandbox>/twilio-api/… and https://trunking.twilio.com/… to <sandbox>/twilio-trunking/…,
// including the next-page URLs the SDK fetches verbatim (providers.md §3). It keeps the SDK's
// auth, form encoding and error handling, reports each exchange without bodies, and forgets the
// last request (the SDK keeps it, auth and form data included, on the instance).
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type * as ResponseModule from 'twilio/lib/http/response.js';
import { ProviderError } from '../provider-error.js';
import type { ProviderLogger } from '../core/provider-log.js';

const PREFIX_BY_PRODUCT: Record<string, string> = {
  api: '/twilio-api',
  trunking: '/twilio-trunking',
};

export interface TwilioHttpOptions {
  /** Sandbox base URL (e.g. `http://127.0.0.1:4010`); undefined: talk to Twilio itself. */
  sandboxUrl: string | undefined;
  timeoutMs: number;
  log: ProviderLogger | undefined;
}

/**
 * A 3xx answer, refused. Shaped like the SDK's RestException (an Error with the HTTP status), so
 * toTwilioError maps it with the failing call's operation (ERR_PROVIDER_REDIRECTED).
 */
export class TwilioRedirectError extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`redirect (HTTP ${status}) not followed`);
    this.name = 'TwilioRedirectError';
    this.status = status;
  }
}

export class TwilioHttpClient extends twilio.RequestClient {
  readonly #sandbox: URL | undefined;
  readonly #log: ProviderLogger | undefined;

  constructor(options: TwilioHttpOptions) {
    super({ timeout: options.timeoutMs, keepAlive: false, autoRetry: false });
    this.#sandbox = options.sandboxUrl === undefined ? undefined : new URL(options.sandboxUrl);
    this.#log = options.log;
  }

  /** The URL a canonical Twilio URL is sent to. */
  target(uri: string): string {
    if (this.#sandbox === undefined) return uri;
    const original = new URL(uri);
    // Route on the first DNS label, so an edge/region host (api.sydney.au1.twilio.com) maps too.
    const product = original.hostname.endsWith('.twilio.com')
      ? original.hostname.split('.')[0]
      : undefined;
    const prefix = product === undefined ? undefined : PREFIX_BY_PRODUCT[product];
    if (prefix === undefined) {
      throw new ProviderError('ERR_PROVIDER_NOT_CONFIGURED', {
        provider: 'twilio',
        operation: 'request',
        status: undefined,
        providerCode: undefined,
        retryable: false,
      });
    }
    const base = this.#sandbox.href.replace(/\/$/, '');
    return `${base}${prefix}${original.pathname}${original.search}`;
  }

  override async request<TData>(
    opts: RequestClient.RequestOptions<TData>,
  ): Promise<ResponseModule.default<TData>> {
    const started = performance.now();
    const canonical = new URL(opts.uri);
    let status: number | undefined;
    try {
      const response = await super.request<TData>({
        ...opts,
        uri: this.target(opts.uri),
        logLevel: 'off',
        // Never followed; and some SDK paths count any status below 400 as success, so a 3xx is
        // refused here rather than left to them.
        allowRedirects: false,
      });
      status = response.statusCode;
      if (status >= 300 && status < 400) throw new TwilioRedirectError(status);
      return response;
    } finally {
      delete this.lastRequest;
      delete this.lastResponse;
      this.#log?.({
        provider: 'twilio',
        method: opts.method.toUpperCase(),
        target: `${canonical.host}${canonical.pathname}`,
        status,
        durationMs: Math.round(performance.now() - started),
      });
    }
  }
}
