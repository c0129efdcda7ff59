// Message status callbacks (Messages.create with StatusCallback, moved through the admin surface),
// and the auth tokens the sandbox keeps to sign callbacks: never in an answer, a dump or a callback.
import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { twilioAccounts, useTestSandbox } from '../../support/sandbox.js';
import { generateSandboxSeed } from '../../../src/sandbox/seed.js';
import { startCallbackReceiver, type CallbackReceiver } from '../callback-receiver.js';
import { expectNoSecretServed, expectProviderError, mainClient } from './twilio-test-kit.js';

const seed = generateSandboxSeed();
const { main, sub } = twilioAccounts(seed);
const kit = useTestSandbox(seed);
const TO = '+14155550777';
let hook: CallbackReceiver;
let from: string;

beforeAll(async () => {
  hook = await startCallbackReceiver();
});
afterAll(() => hook.close());
beforeEach(async () => {
  hook.received.length = 0;
  const { sdk } = mainClient(kit.sandbox);
  from = (await sdk.incomingPhoneNumbers.create({ phoneNumber: '+14155550400' })).phoneNumber;
});

const move = (sid: string, body: unknown) =>
  kit.sandbox.admin('POST', `twilio/messages/${sid}/status`, body);
const formOf = (body: string) => Object.fromEntries(new URLSearchParams(body));

describe('Twilio message status callbacks', () => {
  it('POSTs every status change, signed with the account auth token; fetch shows it', async () => {
    const { sdk } = mainClient(kit.sandbox);
    const url = `${hook.url}/hooks/twilio/t1/status`;
    const message = await sdk.messages.create({ to: TO, from, body: 'hi', statusCallback: url });
    expect((await move(message.sid, { status: 'sent' })).status).toBe(200);
    const delivered = await move(message.sid, { status: 'delivered' });
    expect(delivered).toMatchObject({
      status: 200,
      body: {
        sid: message.sid,
        previousStatus: 'sent',
        status: 'delivered',
        callback: { url, method: 'POST', receiverStatus: 204 },
      },
    });
    const sent = hook.received.map((r) => formOf(r.body));
    expect(sent.map((p) => p.MessageStatus)).toEqual(['sent', 'delivered']);
    expect(sent[1]).toEqual({
      AccountSid: main.sid,
      ApiVersion: '2010-04-01',
      From: from,
      MessageSid: message.sid,
      MessageStatus: 'delivered',
      SmsSid: message.sid,
      SmsStatus: 'delivered',
      To: TO,
    });
    for (const r of hook.received) {
      const signature = String(r.headers['x-twilio-signature']);
      expect(twilio.validateRequest(main.authToken, signature, url, formOf(r.body))).toBe(true);
      expect(twilio.validateRequest(sub.authToken, signature, url, formOf(r.body))).toBe(false);
    }
    const fetched = await sdk.messages(message.sid).fetch();
    expect(fetched.status).toBe('delivered');
    expect(fetched.dateSent).not.toBeNull();
  });

  it('reports ErrorCode for failed and undelivered; refuses bad moves and changes nothing', async () => {
    const { sdk } = mainClient(kit.sandbox);
    const url = `${hook.url}/s`;
    const a = await sdk.messages.create({ to: TO, from, body: 'a', statusCallback: url });
    const b = await sdk.messages.create({ to: TO, from, body: 'b', statusCallback: url });
    expect(await move(a.sid, { status: 'delivered', errorCode: 30003 })).toEqual({
      status: 400,
      body: { error: '"errorCode" is only for failed or undelivered' },
    });
    await move(a.sid, { status: 'failed' });
    await move(b.sid, { status: 'sent' });
    await move(b.sid, { status: 'undelivered', errorCode: 30005 });
    expect(hook.received.map((r) => formOf(r.body).ErrorCode)).toEqual([
      '30008',
      undefined,
      '30005',
    ]);
    expect((await sdk.messages(a.sid).fetch()).errorCode).toBe(30008);
    expect(await move(b.sid, { status: 'delivered' })).toEqual({
      status: 409,
      body: { error: '"status" cannot move a message from undelivered to delivered' },
    });
    expect((await move(a.sid, {})).body).toEqual({
      error: expect.stringMatching(/^"status" /) as unknown,
    });
    expect((await sdk.messages(b.sid).fetch()).status).toBe('undelivered');
    expect(hook.received).toHaveLength(3);
  });

  it('sends nothing without a StatusCallback, and refuses a bad one at create (21609)', async () => {
    const client = mainClient(kit.sandbox);
    const message = await client.sdk.messages.create({ to: TO, from, body: 'x' });
    expect((await move(message.sid, { status: 'sent' })).body).toMatchObject({ callback: null });
    await expectProviderError(
      client.run('messages.create', (s) =>
        s.messages.create({ to: TO, from, body: 'x', statusCallback: 'http://bad_host/x' }),
      ),
      { status: 400, providerCode: 21609 },
    );
    expect(kit.sandbox.context.twilio.state.messages.size).toBe(1);
    expect(hook.received).toHaveLength(0);
  });

  it('never shows an auth token: answers, state dump, admin answers, callbacks', async () => {
    const { sdk } = mainClient(kit.sandbox);
    const url = `${hook.url}/s`;
    const message = await sdk.messages.create({ to: TO, from, body: 'x', statusCallback: url });
    const call = await sdk.calls.create({
      to: TO,
      from,
      twiml: '<Response/>',
      statusCallback: url,
    });
    const answers = [
      await move(message.sid, { status: 'failed' }),
      await kit.sandbox.admin('POST', `twilio/calls/${call.sid}/status`, { status: 'canceled' }),
      await kit.sandbox.admin('GET', 'state'),
      await kit.sandbox.admin('GET', 'exchanges'),
    ];
    const seen = [
      ...answers.map((a) => JSON.stringify(a.body)),
      ...hook.received.map((r) => `${r.url} ${JSON.stringify(r.headers)} ${r.body}`),
    ].join('\n');
    expect(hook.received).toHaveLength(2);
    for (const token of [main.authToken, sub.authToken, main.keySecret]) {
      expect(seen.includes(token)).toBe(false);
    }
    expectNoSecretServed(kit.sandbox, []);
  });
});
