// Call status callbacks: Calls.create through the official SDK keeps StatusCallback, its events and
// method; the admin surface moves the call along Twilio's lifecycle and the sandbox sends the
// callback, signed as Twilio signs it (checked with the SDK's own validateRequest).
import twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { twilioAccounts, useTestSandbox } from '../../support/sandbox.js';
import { generateSandboxSeed } from '../../../src/sandbox/seed.js';
import {
  startCallbackReceiver,
  unreachableUrl,
  type CallbackReceiver,
} from '../callback-receiver.js';
import { expectProviderError, mainClient, subClient } from './twilio-test-kit.js';

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
  hook.status = 204;
  const number = await mainClient(kit.sandbox).sdk.incomingPhoneNumbers.create({
    phoneNumber: '+14155550400',
  });
  from = number.phoneNumber;
});

type Move = {
  status: string;
  callback: {
    url: string;
    method: string;
    params: Record<string, string>;
    signature: string;
    receiverStatus: number | null;
  } | null;
};
const move = async (sid: string, status: string) =>
  kit.sandbox.admin('POST', `twilio/calls/${sid}/status`, { status });
const moved = async (sid: string, status: string): Promise<Move> => {
  const answer = await move(sid, status);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as Move;
};
const formOf = (body: string) => Object.fromEntries(new URLSearchParams(body));

describe('Twilio call status callbacks', () => {
  it('sends each subscribed event, form-encoded and signed with the account auth token', async () => {
    const url = `${hook.url}/hooks/twilio/t1/status?kind=call`;
    const call = await mainClient(kit.sandbox).sdk.calls.create({
      to: TO,
      from,
      url: 'https://example.com/twiml',
      statusCallback: url,
      statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      statusCallbackMethod: 'POST',
    });
    for (const status of ['initiated', 'ringing', 'in-progress', 'completed']) {
      const answer = await moved(call.sid, status);
      expect(answer.callback).toMatchObject({ url, method: 'POST', receiverStatus: 204 });
    }
    expect(hook.received.map((r) => r.method)).toEqual(['POST', 'POST', 'POST', 'POST']);
    const sent = hook.received.map((r) => formOf(r.body));
    expect(sent.map((p) => p.CallStatus)).toEqual([
      'initiated',
      'ringing',
      'in-progress',
      'completed',
    ]);
    expect(sent.map((p) => p.SequenceNumber)).toEqual(['0', '1', '2', '3']);
    expect(sent[3]).toMatchObject({
      CallSid: call.sid,
      AccountSid: main.sid,
      From: from,
      To: TO,
      ApiVersion: '2010-04-01',
      Direction: 'outbound-api',
      CallDuration: expect.stringMatching(/^\d+$/) as unknown,
    });
    expect(sent[0]?.CallDuration).toBeUndefined();
    for (const r of hook.received) {
      expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
      const signature = String(r.headers['x-twilio-signature']);
      expect(twilio.validateRequest(main.authToken, signature, url, formOf(r.body))).toBe(true);
      expect(twilio.validateRequest(sub.authToken, signature, url, formOf(r.body))).toBe(false);
    }
    const fetched = await mainClient(kit.sandbox).sdk.calls(call.sid).fetch();
    expect(fetched.status).toBe('completed');
    expect(fetched.endTime).not.toBeNull();
    expect(fetched.startTime).not.toBeNull();
  });

  it('sends only `completed` by default, for every terminal status', async () => {
    const { sdk } = mainClient(kit.sandbox);
    const url = `${hook.url}/status`;
    const call = await sdk.calls.create({
      to: TO,
      from,
      twiml: '<Response/>',
      statusCallback: url,
    });
    expect((await moved(call.sid, 'ringing')).callback).toBeNull();
    const busy = await moved(call.sid, 'busy');
    expect(busy.callback?.params).toMatchObject({ CallStatus: 'busy', CallDuration: '0' });
    expect(hook.received).toHaveLength(1);
    expect((await sdk.calls(call.sid).fetch()).status).toBe('busy');
  });

  it("signs a subaccount's callbacks with the subaccount's own token", async () => {
    const subNumber = await subClient(kit.sandbox).sdk.incomingPhoneNumbers.create({
      phoneNumber: '+14155550401',
    });
    const url = `${hook.url}/sub`;
    const call = await subClient(kit.sandbox).sdk.calls.create({
      to: TO,
      from: subNumber.phoneNumber,
      url: 'https://example.com/twiml',
      statusCallback: url,
    });
    await moved(call.sid, 'in-progress');
    const { callback } = await moved(call.sid, 'completed');
    const params = callback?.params ?? {};
    const signature = String(hook.received[0]?.headers['x-twilio-signature']);
    expect(params.AccountSid).toBe(sub.sid);
    expect(twilio.validateRequest(sub.authToken, signature, url, params)).toBe(true);
    expect(twilio.validateRequest(main.authToken, signature, url, params)).toBe(false);
  });

  it('sends a GET with the parameters in the query when asked, signed over the whole URL', async () => {
    const url = `${hook.url}/get-status?a=1`;
    const { sdk } = mainClient(kit.sandbox);
    const call = await sdk.calls.create({
      to: TO,
      from,
      url: 'https://example.com/twiml',
      statusCallback: url,
      statusCallbackMethod: 'GET',
    });
    const { callback } = await moved(call.sid, 'canceled');
    const received = hook.received[0];
    expect(received?.method).toBe('GET');
    expect(received?.url.startsWith('/get-status?a=1&')).toBe(true);
    const fullUrl = `${hook.url}${received?.url ?? ''}`;
    expect(callback?.url).toBe(fullUrl);
    const signature = String(received?.headers['x-twilio-signature']);
    expect(twilio.validateRequest(main.authToken, signature, fullUrl, {})).toBe(true);
    expect(twilio.validateRequest(sub.authToken, signature, fullUrl, {})).toBe(false);
  });

  it('refuses a move the lifecycle does not allow, and changes nothing', async () => {
    const { sdk } = mainClient(kit.sandbox);
    const call = await sdk.calls.create({
      to: TO,
      from,
      url: 'https://example.com/twiml',
      statusCallback: `${hook.url}/s`,
    });
    expect(await move(call.sid, 'completed')).toEqual({
      status: 409,
      body: { error: '"status" cannot move a call from queued to completed' },
    });
    expect(await move(call.sid, 'ringing-ish')).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^"status" /) as unknown },
    });
    expect((await move('CA00000000000000000000000000000000', 'ringing')).status).toBe(404);
    await moved(call.sid, 'no-answer');
    expect((await move(call.sid, 'in-progress')).status).toBe(409);
    expect((await sdk.calls(call.sid).fetch()).status).toBe('no-answer');
    expect(hook.received).toHaveLength(1);
  });

  it('refuses bad callback options at create (naming the field) and stores no call', async () => {
    const client = mainClient(kit.sandbox);
    const base = { to: TO, from, url: 'https://example.com/twiml' };
    const reject = async (extra: Record<string, unknown>, providerCode: number) =>
      expectProviderError(
        client.run('calls.create', (s) => s.calls.create({ ...base, ...extra })),
        { status: 400, providerCode },
      );
    await reject({ statusCallback: `${hook.url}/s`, statusCallbackMethod: 'PUT' }, 20001);
    await reject({ statusCallback: `${hook.url}/s`, statusCallbackEvent: ['answerd'] }, 20001);
    await reject({ statusCallback: 'ftp://example.com/s' }, 21205);
    expect(kit.sandbox.context.twilio.state.calls.size).toBe(0);
  });

  it('answers null for an unreachable receiver, and the status still moves', async () => {
    const { sdk } = mainClient(kit.sandbox);
    const url = await unreachableUrl();
    const call = await sdk.calls.create({
      to: TO,
      from,
      twiml: '<Response/>',
      statusCallback: url,
    });
    const answer = await moved(call.sid, 'failed');
    expect(answer.callback).toMatchObject({ url, receiverStatus: null });
    expect((await sdk.calls(call.sid).fetch()).status).toBe('failed');
  });
});
