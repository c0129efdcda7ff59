// Shared helpers for the Twilio sandbox tests: SDK clients for the seeded accounts, and an
// assertion on the ProviderError a failing call becomes.
import twilio from 'twilio';
import { expect } from 'vitest';
import {
  createTwilioClient,
  type TwilioClient,
} from '../../../src/providers/twilio/twilio-client.js';
import { TwilioHttpClient } from '../../../src/providers/twilio/twilio-request-client.js';
import { twilioAccounts, type TestSandbox } from '../../support/sandbox.js';

export function mainClient(sb: TestSandbox): TwilioClient {
  const { main } = twilioAccounts(sb.seed);
  return createTwilioClient(
    { accountSid: main.sid, authToken: main.authToken },
    { mode: 'sandbox', sandboxUrl: sb.url },
  );
}

export function subClient(sb: TestSandbox): TwilioClient {
  const { sub } = twilioAccounts(sb.seed);
  return createTwilioClient(
    { accountSid: sub.sid, authToken: sub.authToken },
    { mode: 'sandbox', sandboxUrl: sb.url },
  );
}

export function keyClient(sb: TestSandbox): TwilioClient {
  const { main } = twilioAccounts(sb.seed);
  return createTwilioClient(
    { accountSid: main.sid, apiKeySid: main.keySid, apiKeySecret: main.keySecret },
    { mode: 'sandbox', sandboxUrl: sb.url },
  );
}

/** A raw SDK client with any username/password and accountSid option (principal tests). */
export function rawSdk(
  sb: TestSandbox,
  username: string,
  password: string,
  accountSid?: string,
): twilio.Twilio {
  const httpClient = new TwilioHttpClient({ sandboxUrl: sb.url, timeoutMs: 5_000, log: undefined });
  return twilio(username, password, {
    httpClient,
    edge: '',
    region: '',
    env: {},
    ...(accountSid === undefined ? {} : { accountSid }),
  });
}

export async function expectProviderError(
  promise: Promise<unknown>,
  expected: {
    code?: string;
    status?: number | undefined;
    providerCode?: number | string | undefined;
    retryable?: boolean;
  },
): Promise<void> {
  await expect(promise).rejects.toMatchObject({
    name: 'ProviderError',
    provider: 'twilio',
    ...expected,
  });
}

/** Counter of one route (method + pattern) in the sandbox. */
export function callsTo(sb: TestSandbox, key: string): number {
  return sb.context.counters.get(key) ?? 0;
}

/**
 * The secret invariant over everything this sandbox served so far: no response body or header
 * carries a seeded token or key secret, or any of `extra` (the SIP passwords a test used).
 */
export function expectNoSecretServed(sb: TestSandbox, extra: readonly string[]): void {
  const { main, sub } = twilioAccounts(sb.seed);
  const secrets = [main.authToken, main.keySecret, sub.authToken, ...extra];
  const served = sb.context.exchanges.entries;
  const leaks = served.filter((e) => {
    const text = `${e.responseBody ?? ''} ${JSON.stringify(e.responseHeaders)}`;
    return secrets.some((secret) => text.includes(secret));
  });
  expect(served.length).toBeGreaterThan(0);
  expect(leaks.map((e) => `${e.method} ${e.url}`)).toEqual([]);
}
