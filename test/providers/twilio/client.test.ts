// The per-tenant Twilio client: built only from the credentials it is given (no TWILIO_* env),
// routed to the sandbox, every failure (including injected faults) a redacted ProviderError.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Secret } from '../../../src/crypto/secret.js';
import { ProviderError } from '../../../src/providers/provider-error.js';
import {
  createTwilioClient,
  toTwilioError,
  verifyTwilioCredentials,
} from '../../../src/providers/twilio/index.js';
import { TwilioHttpClient } from '../../../src/providers/twilio/twilio-request-client.js';
import { twilioAccounts } from '../../support/sandbox.js';
import { useTwilioTestClient } from '../support.js';

describe('Twilio client', () => {
  const t = useTwilioTestClient();
  afterEach(() => vi.unstubAllEnvs());

  it('ignores TWILIO_* environment variables (credentials, edge, region, log level)', async () => {
    const { main, sub } = twilioAccounts(t.sb.seed);
    vi.stubEnv('TWILIO_ACCOUNT_SID', sub.sid);
    vi.stubEnv('TWILIO_AUTH_TOKEN', sub.authToken);
    vi.stubEnv('TWILIO_EDGE', 'sydney');
    vi.stubEnv('TWILIO_REGION', 'au1');
    vi.stubEnv('TWILIO_LOG_LEVEL', 'debug');
    const consoleLog = vi.spyOn(console, 'log');
    const isolated = createTwilioClient(
      { accountSid: main.sid, authToken: main.authToken },
      { mode: 'sandbox', sandboxUrl: t.sb.url, log: (e) => t.log.push(e) },
    );
    const trunk = await isolated.run('trunks.create', (s) =>
      s.trunking.v1.trunks.create({ friendlyName: 'env' }),
    );
    expect(trunk.accountSid).toBe(main.sid);
    await isolated.run('credentialLists.list', (s) => s.sip.credentialLists.list());
    expect(t.log.map((e) => e.target)).toEqual([
      'trunking.twilio.com/v1/Trunks',
      `api.twilio.com/2010-04-01/Accounts/${main.sid}/SIP/CredentialLists.json`,
    ]);
    expect(consoleLog).not.toHaveBeenCalled();
    consoleLog.mockRestore();
  });

  it('authenticates with an API key and the account sid', async () => {
    const { main } = twilioAccounts(t.sb.seed);
    const keyed = createTwilioClient(
      { accountSid: main.sid, apiKeySid: main.keySid, apiKeySecret: new Secret(main.keySecret) },
      { mode: 'sandbox', sandboxUrl: t.sb.url },
    );
    await expect(verifyTwilioCredentials(keyed)).resolves.toBeUndefined();
    const trunk = await keyed.run('trunks.create', (s) =>
      s.trunking.v1.trunks.create({ friendlyName: 'k' }),
    );
    expect(trunk.accountSid).toBe(main.sid);
  });

  it('verifies credentials with a cheap authenticated read', async () => {
    await expect(verifyTwilioCredentials(t.client)).resolves.toBeUndefined();
    const { main } = twilioAccounts(t.sb.seed);
    const wrong = createTwilioClient(
      { accountSid: main.sid, authToken: 'a'.repeat(32) },
      { mode: 'sandbox', sandboxUrl: t.sb.url },
    );
    await expect(verifyTwilioCredentials(wrong)).rejects.toMatchObject({
      code: 'ERR_PROVIDER_CREDENTIALS_INVALID',
      provider: 'twilio',
      operation: 'accounts.fetch',
      status: 401,
      providerCode: 20003,
      retryable: false,
    });
  });

  it('refuses incomplete credentials before any request, naming the field', () => {
    const sid = `AC${'1'.repeat(32)}`;
    const build = (creds: Parameters<typeof createTwilioClient>[0]) => () =>
      createTwilioClient(creds, { mode: 'sandbox', sandboxUrl: t.sb.url });
    expect(build({ accountSid: 'SK123', authToken: 'x' })).toThrow(/"accountSid" expected AC/);
    expect(build({ accountSid: sid })).toThrow(/"authToken" or "apiKeySid"/);
    expect(build({ accountSid: sid, apiKeySid: 'AC1', apiKeySecret: 'x' })).toThrow(
      /"apiKeySid" expected SK/,
    );
    expect(build({ accountSid: sid, apiKeySid: `SK${'1'.repeat(32)}` })).toThrow(
      /"apiKeySecret" is required/,
    );
    const noUrl = () =>
      createTwilioClient({ accountSid: sid, authToken: 'x' }, { mode: 'sandbox' });
    expect(noUrl).toThrow(/"sandboxUrl" is required/);
    expect(noUrl).toThrow(
      expect.objectContaining({ code: 'ERR_PROVIDER_NOT_CONFIGURED' }) as Error,
    );
  });

  it('keeps no vendor body, SDK error or secret in a ProviderError, and forgets the last request', async () => {
    const list = await t.client.run('credentialLists.create', (s) =>
      s.sip.credentialLists.create({ friendlyName: 'r' }),
    );
    const password = 'Secret2SecretPw';
    await t.client.run('credentials.create', (s) =>
      s.sip.credentialLists(list.sid).credentials.create({ username: 'u1', password }),
    );
    let caught: unknown;
    try {
      await t.client.run('credentials.create', (s) =>
        s.sip.credentialLists(list.sid).credentials.create({ username: 'u1', password }),
      );
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ProviderError);
    const error = caught as ProviderError;
    expect(error.cause).toBeUndefined();
    expect(error.message).toBe('twilio credentials.create failed: HTTP 400 (code 21450)');
    const { main } = twilioAccounts(t.sb.seed);
    const everything = `${JSON.stringify(error)} ${String(error.stack)} ${JSON.stringify(Object.entries(error))}`;
    for (const secret of [password, main.authToken]) expect(everything).not.toContain(secret);
    const http = t.client.sdk.httpClient as TwilioHttpClient;
    expect(http.lastRequest).toBeUndefined();
    expect(http.lastResponse).toBeUndefined();
  });

  it('logs method, host+path and status only: no query string, body or credential', async () => {
    await t.client.run('incomingPhoneNumbers.create', (s) =>
      s.incomingPhoneNumbers.create({ phoneNumber: '+14155550777' }),
    );
    await t.client.run('incomingPhoneNumbers.list', (s) =>
      s.incomingPhoneNumbers.list({ phoneNumber: '+14155550777' }),
    );
    const text = JSON.stringify(t.log);
    expect(text).not.toContain('4155550777');
    expect(t.log.map((e) => [e.method, e.status])).toEqual([
      ['POST', 201],
      ['GET', 200],
    ]);
    expect(Object.keys(t.log[0] ?? {}).sort()).toEqual([
      'durationMs',
      'method',
      'provider',
      'status',
      'target',
    ]);
  });

  it('rewrites canonical hosts (edge/region ones too) in sandbox mode and leaves them alone live', () => {
    const sandbox = new TwilioHttpClient({
      sandboxUrl: 'http://127.0.0.1:9/',
      timeoutMs: 1000,
      log: undefined,
    });
    expect(sandbox.target('https://api.twilio.com/2010-04-01/Accounts.json?PageSize=2')).toBe(
      'http://127.0.0.1:9/twilio-api/2010-04-01/Accounts.json?PageSize=2',
    );
    expect(sandbox.target('https://trunking.sydney.au1.twilio.com/v1/Trunks')).toBe(
      'http://127.0.0.1:9/twilio-trunking/v1/Trunks',
    );
    expect(() => sandbox.target('https://studio.twilio.com/v2/Flows')).toThrow(ProviderError);
    const live = new TwilioHttpClient({ sandboxUrl: undefined, timeoutMs: 1000, log: undefined });
    expect(live.target('https://api.twilio.com/x')).toBe('https://api.twilio.com/x');
  });

  it('maps an SDK refusal before sending to a non-retryable ERR_PROVIDER_REJECTED', async () => {
    await expect(
      t.client.run('trunks.fetch', (s) => s.trunking.v1.trunks('bad/sid').fetch()),
    ).rejects.toMatchObject({
      code: 'ERR_PROVIDER_REJECTED',
      status: undefined,
      retryable: false,
    });
    expect(toTwilioError(new TypeError('x'), 'op').code).toBe('ERR_PROVIDER_REJECTED');
    const networkish = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(toTwilioError(networkish, 'op')).toMatchObject({
      code: 'ERR_PROVIDER_UNAVAILABLE',
      retryable: true,
    });
  });
});
