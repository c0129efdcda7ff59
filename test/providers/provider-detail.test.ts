// What a provider says about a refusal reaches the ProviderError as `providerDetail` (its code,
// its message, its documentation link), for each provider, from the body shape that provider
// uses (Twilio code/message/more_info, Retell message, Exotel RestException, SendGrid errors[]).
// The canary: a refusal whose message embeds a secret and a full number never shows either.
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/crypto/secret.js';
import { cleanVendorMessage, MAX_MESSAGE } from '../../src/providers/core/vendor-detail.js';
import { createExotelClient } from '../../src/providers/exotel/exotel-client.js';
import type { ProviderError } from '../../src/providers/provider-error.js';
import { createRetellClient } from '../../src/providers/retell/retell-client.js';
import { createSendgridClient } from '../../src/providers/sendgrid/sendgrid-client.js';
import { createTwilioClient } from '../../src/providers/twilio/index.js';
import { useProviderSandbox } from './support.js';

const RETELL_KEY = 'key_provider_detail_0001';
const SENDGRID_KEY = 'SG.detail_key_0001.secretpart_dddddddddddddddd';
const EXOTEL = {
  host: 'api.in.exotel.com' as const,
  sid: 'acme_detail',
  apiKey: 'key_detail_1',
  apiToken: 'TokenDetail-4f3e2d',
};
const TWILIO = {
  sid: `AC${randomBytes(16).toString('hex')}`,
  authToken: randomBytes(16).toString('hex'),
};
const kit = useProviderSandbox({
  twilio: { accounts: [TWILIO] },
  retell: { apiKeys: [RETELL_KEY] },
  sendgrid: { apiKeys: [SENDGRID_KEY], verifiedSenders: ['noreply@acme.example'] },
  exotel: { accounts: [EXOTEL] },
});

const NUMBER = '+14155550199';
const MASKED = '+1******0199';
/** A message as a provider could write it: the number we sent and a secret it echoes. */
const leaky = (canary: string) =>
  `The 'To' number ${NUMBER} is not a valid phone number (credential ${canary} refused).`;
const expectClean = (err: ProviderError, canary: string) => {
  const text = `${String(err)} ${JSON.stringify(err)} ${inspect(err, { depth: 5 })}`;
  expect(text).not.toContain(canary);
  expect(text).not.toContain(NUMBER);
  expect(text).not.toContain(NUMBER.slice(1));
};

describe('a provider refusal keeps what the provider said, cleaned', () => {
  it('Twilio: code, message and more_info; the canary token and the number are not shown', async () => {
    const main = TWILIO;
    const canary = main.authToken;
    await kit.addFault({
      route: '/twilio-api/2010-04-01/Accounts/:AccountSid/Messages.json',
      action: { kind: 'error', status: 400, code: 21606, message: leaky(canary) },
    });
    const client = createTwilioClient(
      { accountSid: main.sid, authToken: new Secret(main.authToken) },
      { mode: 'sandbox', sandboxUrl: kit.url, timeoutMs: 2_000 },
    );
    const err = await kit.rejection(
      client.run('messages.create', (s) =>
        s.messages.create({ to: NUMBER, from: '+15005550006', body: 'hi' }),
      ),
    );
    expect(err).toMatchObject({ code: 'ERR_PROVIDER_REJECTED', status: 400, providerCode: 21606 });
    expect(err.message).toBe('twilio messages.create failed: HTTP 400 (code 21606)');
    expect(err.providerDetail).toEqual({
      name: 'twilio',
      code: 21606,
      message: `The 'To' number ${MASKED} is not a valid phone number (credential [redacted] refused).`,
      moreInfo: 'https://www.twilio.com/docs/errors/21606',
    });
    expectClean(err, canary);
  });

  it('Retell: its message (status "error", message)', async () => {
    const canary = `key_${randomBytes(16).toString('hex')}`;
    await kit.addFault({
      route: '/retell/get-phone-number/:phone_number',
      action: { kind: 'error', status: 400, message: leaky(canary) },
    });
    const client = createRetellClient(new Secret(RETELL_KEY), {
      mode: 'sandbox',
      sandboxUrl: kit.url,
      readRetries: 0,
    });
    const err = await kit.rejection(client.getNumber(NUMBER));
    expect(err.providerDetail).toEqual({
      name: 'retell',
      message: `The 'To' number ${MASKED} is not a valid phone number (credential [redacted] refused).`,
    });
    expectClean(err, canary);
  });

  it('Exotel: RestException Code and Message', async () => {
    const canary = EXOTEL.apiToken;
    await kit.addFault({
      route: '/exotel/:host/v1/Accounts/:sid/Calls/connect.json',
      action: { kind: 'error', status: 400, code: 'NDNC', message: leaky(canary) },
    });
    const client = createExotelClient(
      {
        accountSid: EXOTEL.sid,
        apiKey: EXOTEL.apiKey,
        apiToken: new Secret(EXOTEL.apiToken),
        host: EXOTEL.host,
      },
      { mode: 'sandbox', sandboxUrl: kit.url, timeoutMs: 2_000 },
    );
    const err = await kit.rejection(
      client.connectCall({ from: '+919800000001', to: '09800000002', callerId: '08047000000' }),
    );
    expect(err.providerDetail).toEqual({
      name: 'exotel',
      code: 'NDNC',
      message: `The 'To' number ${MASKED} is not a valid phone number (credential [redacted] refused).`,
    });
    expectClean(err, canary);
  });

  it('SendGrid: errors[].message', async () => {
    const canary = SENDGRID_KEY;
    await kit.addFault({
      route: '/sendgrid/v3/mail/send',
      action: { kind: 'error', status: 400, message: leaky(canary) },
    });
    const client = createSendgridClient(new Secret(SENDGRID_KEY), {
      mode: 'sandbox',
      sandboxUrl: kit.url,
    });
    const err = await kit.rejection(
      client.sendEmail({
        to: 'a@example.com',
        from: 'noreply@acme.example',
        subject: 's',
        text: 't',
      }),
    );
    expect(err.providerDetail).toEqual({
      name: 'sendgrid',
      message: `The 'To' number ${MASKED} is not a valid phone number (credential [redacted] refused).`,
    });
    expectClean(err, canary);
  });
});

describe('a real refusal of the sandbox, not a fault', () => {
  it('SendGrid: each errors[] field and message, and its help link', async () => {
    const client = createSendgridClient(new Secret(SENDGRID_KEY), {
      mode: 'sandbox',
      sandboxUrl: kit.url,
    });
    const err = await kit.rejection(
      client.sendEmail({
        to: 'not-an-address',
        from: 'noreply@acme.example',
        subject: 's',
        text: 't',
      }),
    );
    expect(err.providerDetail).toEqual({
      name: 'sendgrid',
      message: 'personalizations.0.to.0.email: Does not contain a valid address.',
      moreInfo: 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html',
    });
  });
});

describe('cleanVendorMessage', () => {
  it.each([
    ['Call +1 (415) 555-0199 failed', 'Call +1 (***) ***-0199 failed'],
    ['to 919800000002 refused', 'to 9*******0002 refused'],
    ['see https://user:pw@host/x', 'see https://[redacted]@host/x'],
    ['Account AC0123456789abcdef0123456789abcdef not found', 'Account [redacted] not found'],
    ['password Passw0rd-xyz12 is weak', 'password [redacted] is weak'],
    ['from.email: required', 'from.email: required'],
    ['link https://x.example/a?t=abc123def456', 'link https://x.example/a?[redacted]'],
    ['  two\n lines  ', 'two lines'],
    ['Authenticate', 'Authenticate'],
  ])('%s', (input, expected) => expect(cleanVendorMessage(input)).toBe(expected));

  it('caps the length and drops an empty or non-string message', () => {
    expect(cleanVendorMessage('word '.repeat(200))?.length).toBe(MAX_MESSAGE);
    expect(cleanVendorMessage('   ')).toBeUndefined();
    expect(cleanVendorMessage({ message: 'x' })).toBeUndefined();
  });
});
