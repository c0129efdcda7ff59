// v2010 Messages and Calls through the official SDK: create (201 queued), list with paging,
// fetch, and the documented validation errors.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.js';
import { expectProviderError, mainClient, expectNoSecretServed } from './twilio-test-kit.js';

describe('Twilio messages and calls emulator', () => {
  let sb: TestSandbox;
  let from: string;
  beforeAll(async () => {
    sb = await startTestSandbox();
  });
  beforeEach(async () => {
    sb.context.twilio.reset();
    from = (await mainClient(sb).sdk.incomingPhoneNumbers.create({ phoneNumber: '+14155550400' }))
      .phoneNumber;
  });
  afterAll(() => sb.close());

  it('sends messages (201 queued), pages and fetches them', async () => {
    const { sdk } = mainClient(sb);
    const msg = await sdk.messages.create({ to: '+14155550499', from, body: 'hello' });
    expect(msg).toMatchObject({
      status: 'queued',
      direction: 'outbound-api',
      to: '+14155550499',
      from,
      body: 'hello',
      numSegments: '1',
    });
    expect(msg.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(msg.dateCreated.getTime()).not.toBeNaN();
    for (let i = 0; i < 4; i += 1)
      await sdk.messages.create({ to: '+14155550499', from, body: `m${i}` });
    expect((await sdk.messages.list({ pageSize: 2 })).map((m) => m.body)).toEqual([
      'hello',
      'm0',
      'm1',
      'm2',
      'm3',
    ]);
    expect((await sdk.messages(msg.sid).fetch()).body).toBe('hello');
    const mms = await sdk.messages.create({
      to: '+14155550499',
      from,
      mediaUrl: ['https://example.com/a.png'],
    });
    expect(mms.sid).toMatch(/^MM/);
    expect(mms.numMedia).toBe('1');
  });

  it('answers the message validation errors', async () => {
    const client = mainClient(sb);
    const reject = (params: { to: string; from?: string; body?: string }, providerCode: number) =>
      expectProviderError(
        client.run('messages.create', (s) => s.messages.create(params)),
        {
          code: 'ERR_PROVIDER_REJECTED',
          status: 400,
          providerCode,
        },
      );
    await reject({ to: 'not-a-number', from, body: 'x' }, 21211);
    await reject({ to: '+14155550499', from: '+14155550999', body: 'x' }, 21606);
    await reject({ to: '+14155550499', body: 'x' }, 21603);
    await reject({ to: '+14155550499', from }, 21602);
    await expectProviderError(
      client.run('messages.fetch', (s) => s.messages(`SM${'0'.repeat(32)}`).fetch()),
      { code: 'ERR_PROVIDER_NOT_FOUND', providerCode: 20404 },
    );
  });

  it('places calls with Url or Twiml (201 queued), pages and fetches them', async () => {
    const { sdk } = mainClient(sb);
    const call = await sdk.calls.create({
      to: '+14155550498',
      from,
      url: 'https://example.com/twiml',
      statusCallback: 'https://example.com/status',
      statusCallbackEvent: ['initiated', 'ringing', 'completed'],
    });
    expect(call).toMatchObject({
      status: 'queued',
      direction: 'outbound-api',
      to: '+14155550498',
      from,
    });
    expect(call.sid).toMatch(/^CA[0-9a-f]{32}$/);
    const recorded = sb.context.exchanges.entries.find(
      (e) => e.method === 'POST' && e.url.endsWith('/Calls.json'),
    );
    expect((recorded?.requestBody as Record<string, string[]>).StatusCallbackEvent).toEqual([
      'initiated',
      'ringing',
      'completed',
    ]);
    for (let i = 0; i < 4; i += 1)
      await sdk.calls.create({
        to: 'sip:agent@sip.retellai.com',
        from,
        twiml: '<Response><Say>hi</Say></Response>',
      });
    expect((await sdk.calls.list({ pageSize: 2 })).length).toBe(5);
    expect((await sdk.calls(call.sid).fetch()).to).toBe('+14155550498');
  });

  it('answers the call validation errors', async () => {
    const client = mainClient(sb);
    const reject = (
      params: { to: string; from: string; url?: string; twiml?: string },
      providerCode: number,
    ) =>
      expectProviderError(
        client.run('calls.create', (s) => s.calls.create(params)),
        {
          code: 'ERR_PROVIDER_REJECTED',
          status: 400,
          providerCode,
        },
      );
    await reject({ to: 'bogus', from, url: 'https://example.com' }, 21211);
    await reject({ to: '+14155550498', from: 'bogus', url: 'https://example.com' }, 21212);
    await reject({ to: '+14155550498', from: '+14155550999', url: 'https://example.com' }, 21210);
    await reject({ to: '+14155550498', from }, 21205);
  });

  it('lets the owned-From rule be switched off', async () => {
    await sb.admin('POST', 'twilio/config', { requireOwnedFrom: false });
    const msg = await mainClient(sb).sdk.messages.create({
      to: '+14155550499',
      from: '+14155550999',
      body: 'x',
    });
    expect(msg.status).toBe('queued');
  });

  it('served no token, key secret or SIP password in any response', () => {
    expectNoSecretServed(sb, []);
  });
});
