// A per-tenant Twilio client on the official SDK, built from the tenant's stored credentials
// (auth token, or API key + secret with the account sid). Nothing is read from process.env:
// TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN / TWILIO_EDGE / TWILIO_REGION / TWILIO_LOG_LEVEL would
// otherwise be picked up by the SDK (providers.md §3).
import twilio from 'twilio';
import { Secret } from '../../crypto/index.js';
import { TelvaultError } from '../../errors.js';
import { createProviderCall } from '../core/provider-call.js';
import type { ProviderLogger } from '../core/provider-log.js';
import { toTwilioError } from './twilio-errors.js';
import { TwilioHttpClient } from './twilio-request-client.js';

export type TwilioSdk = twilio.Twilio;
type SecretValue = string | Secret<string>;

export interface TwilioCredentials {
  accountSid: SecretValue;
  authToken?: SecretValue;
  apiKeySid?: SecretValue;
  apiKeySecret?: SecretValue;
}

export interface TwilioClientOptions {
  mode: 'live' | 'sandbox';
  /** Base URL of the sandbox (required in sandbox mode), e.g. `http://127.0.0.1:4010`. */
  sandboxUrl?: string;
  /** Per-request timeout. Default 15 s. */
  timeoutMs?: number;
  /** Receives method, host+path, status and duration of each exchange: never a body. */
  log?: ProviderLogger;
}

export interface TwilioClient {
  readonly accountSid: string;
  /** The SDK client. Call it through `run` so failures become ProviderError. */
  readonly sdk: TwilioSdk;
  /** Runs one SDK call; any failure becomes a ProviderError naming `operation`. */
  run<T>(operation: string, call: (sdk: TwilioSdk) => Promise<T>): Promise<T>;
}

const reveal = (value: SecretValue | undefined): string | undefined =>
  value instanceof Secret ? value.reveal() : value;

function notConfigured(message: string): TelvaultError {
  return new TelvaultError('ERR_PROVIDER_NOT_CONFIGURED', message);
}

export function createTwilioClient(
  credentials: TwilioCredentials,
  options: TwilioClientOptions,
): TwilioClient {
  const accountSid = reveal(credentials.accountSid) ?? '';
  if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
    throw notConfigured('"accountSid" expected AC followed by 32 hex digits');
  }
  const authToken = reveal(credentials.authToken);
  const keySid = reveal(credentials.apiKeySid);
  const keySecret = reveal(credentials.apiKeySecret);
  let username: string;
  let password: string;
  if (keySid !== undefined || keySecret !== undefined) {
    if (keySid === undefined || !/^SK[0-9a-fA-F]{32}$/.test(keySid)) {
      throw notConfigured('"apiKeySid" expected SK followed by 32 hex digits');
    }
    if (keySecret === undefined || keySecret === '')
      throw notConfigured('"apiKeySecret" is required');
    [username, password] = [keySid, keySecret];
  } else {
    if (authToken === undefined || authToken === '') {
      throw notConfigured('"authToken" or "apiKeySid" with "apiKeySecret" is required');
    }
    [username, password] = [accountSid, authToken];
  }
  if (options.mode === 'sandbox' && options.sandboxUrl === undefined) {
    throw notConfigured('"sandboxUrl" is required in sandbox mode');
  }

  const httpClient = new TwilioHttpClient({
    sandboxUrl: options.mode === 'sandbox' ? options.sandboxUrl : undefined,
    timeoutMs: options.timeoutMs ?? 15_000,
    log: options.log,
  });
  const sdk = twilio(username, password, {
    accountSid,
    httpClient,
    env: {},
    // Empty strings, not undefined: the SDK falls back to process.env on `??` (undefined/null).
    edge: '',
    region: '',
    logLevel: 'off',
    autoRetry: false,
  });

  // No log hook here: the http client reports each exchange, pages included.
  const call = createProviderCall('twilio', (operation, err) => toTwilioError(err, operation));
  return {
    accountSid,
    sdk,
    run: (operation, run) => call(operation, () => run(sdk)),
  };
}

/** A cheap authenticated read (fetch the account) to check stored credentials. */
export async function verifyTwilioCredentials(client: TwilioClient): Promise<void> {
  await client.run('accounts.fetch', (sdk) => sdk.api.v2010.accounts(client.accountSid).fetch());
}
