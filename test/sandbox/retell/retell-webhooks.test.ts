// Retell webhooks from the admin surface: the event moves the call, and the sandbox POSTs
// `{ event, call }` signed with retell-sdk's `sign` under the workspace's webhook key, which
// retell-sdk's `verify` accepts (and refuses under any other key).
import Retell, { verify } from 'retell-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useTestSandbox } from '../../support/sandbox.js';
import {
  startCallbackReceiver,
  unreachableUrl,
  type CallbackReceiver,
} from '../callback-receiver.js';

const CALLS_KEY = 'key_webhooks_calls';
const HOOK_KEY = 'key_webhooks_signing';
const SOLO_KEY = 'key_webhooks_solo';
const FROM = '+14155550100';
const TO = '+14155550777';
const kit = useTestSandbox({
  retell: {
    apiKeys: [SOLO_KEY],
    workspaces: [{ apiKeys: [CALLS_KEY, HOOK_KEY], webhookKey: HOOK_KEY }],
  },
});
let hook: CallbackReceiver;

const client = (apiKey: string) =>
  new Retell({ apiKey, baseURL: `${kit.url}/retell`, maxRetries: 0, logLevel: 'off' });
const placeCall = async (apiKey: string) => {
  const sdk = client(apiKey);
  await sdk.phoneNumber.import({
    phone_number: FROM,
    termination_uri: 't.pstn.twilio.com',
    outbound_agents: [{ agent_id: 'agent_out', weight: 1 }],
  });
  return sdk.call.createPhoneCall({ from_number: FROM, to_number: TO });
};
type Sent = {
  callId: string;
  event: string;
  callStatus: string;
  webhook: { url: string; body: string; signature: string; receiverStatus: number | null };
};
const event = (callId: string, body: unknown) =>
  kit.sandbox.admin('POST', `retell/calls/${callId}/events`, body);
const sent = async (callId: string, name: string, url: string): Promise<Sent> => {
  const answer = await event(callId, { event: name, url });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as Sent;
};

beforeAll(async () => {
  hook = await startCallbackReceiver();
});
afterAll(() => hook.close());
beforeEach(() => {
  hook.received.length = 0;
});

describe('Retell webhooks', () => {
  it('sends call_started, call_ended and call_analyzed, signed with the webhook key', async () => {
    const call = await placeCall(CALLS_KEY);
    const url = `${hook.url}/hooks/retell/tenant-1`;
    const answers = [
      await sent(call.call_id, 'call_started', url),
      await sent(call.call_id, 'call_ended', url),
      await sent(call.call_id, 'call_analyzed', url),
    ];
    expect(answers.map((a) => [a.event, a.callStatus, a.webhook.receiverStatus])).toEqual([
      ['call_started', 'ongoing', 204],
      ['call_ended', 'ended', 204],
      ['call_analyzed', 'ended', 204],
    ]);
    expect(hook.received).toHaveLength(3);
    for (const [i, received] of hook.received.entries()) {
      expect(received.method).toBe('POST');
      expect(received.headers['content-type']).toBe('application/json');
      expect(received.body).toBe(answers[i]?.webhook.body);
      const signature = String(received.headers['x-retell-signature']);
      expect(await verify(received.body, HOOK_KEY, signature)).toBe(true);
      expect(await verify(received.body, CALLS_KEY, signature)).toBe(false);
      expect(await verify(`${received.body} `, HOOK_KEY, signature)).toBe(false);
    }
    const bodies = hook.received.map(
      (r) => JSON.parse(r.body) as { event: string; call: Record<string, unknown> },
    );
    expect(bodies[0]).toMatchObject({
      event: 'call_started',
      call: { call_id: call.call_id, call_status: 'ongoing', from_number: FROM, to_number: TO },
    });
    expect(bodies[1]?.call).toMatchObject({
      call_status: 'ended',
      disconnection_reason: 'user_hangup',
    });
    expect(bodies[2]?.call.call_analysis).toMatchObject({ call_successful: true });
    const retrieved = await client(HOOK_KEY).call.retrieve(call.call_id);
    expect(retrieved).toMatchObject({ call_status: 'ended', call_analysis: {} });
  });

  it('ends a call never answered as not_connected', async () => {
    const call = await placeCall(SOLO_KEY);
    const answer = await sent(call.call_id, 'call_ended', `${hook.url}/h`);
    expect(answer.callStatus).toBe('not_connected');
    const signature = String(hook.received[0]?.headers['x-retell-signature']);
    // A workspace with one key (none marked) signs with that key.
    expect(await verify(hook.received[0]?.body ?? '', SOLO_KEY, signature)).toBe(true);
  });

  it('signs with a key marked for webhooks through the admin surface', async () => {
    const call = await placeCall(SOLO_KEY);
    const workspace = kit.sandbox.context.retell.workspaceFor(SOLO_KEY);
    const created = await kit.sandbox.admin('POST', 'retell/keys', {
      apiKey: 'key_webhooks_new',
      workspace,
      webhook: true,
    });
    expect(created).toEqual({
      status: 201,
      body: { apiKey: 'key_webhooks_new', workspace, webhook: true },
    });
    await sent(call.call_id, 'call_started', `${hook.url}/h`);
    const body = hook.received[0]?.body ?? '';
    const signature = String(hook.received[0]?.headers['x-retell-signature']);
    expect(await verify(body, 'key_webhooks_new', signature)).toBe(true);
    expect(await verify(body, SOLO_KEY, signature)).toBe(false);
  });

  it('refuses events out of order or unknown, and bad bodies, changing nothing', async () => {
    const call = await placeCall(CALLS_KEY);
    const url = `${hook.url}/h`;
    expect(await event(call.call_id, { event: 'call_analyzed', url })).toEqual({
      status: 409,
      body: { error: '"event" refused: a call_analyzed needs an ended call, not registered' },
    });
    expect((await event(call.call_id, { event: 'call_paused', url })).body).toEqual({
      error: expect.stringMatching(/^"event" /) as unknown,
    });
    expect((await event(call.call_id, { event: 'call_started', url: 'ftp://x/y' })).body).toEqual({
      error: expect.stringMatching(/^"url" /) as unknown,
    });
    expect((await event('nope', { event: 'call_started', url })).status).toBe(404);
    expect(hook.received).toHaveLength(0);
    expect((await client(CALLS_KEY).call.retrieve(call.call_id)).call_status).toBe('registered');
    await sent(call.call_id, 'call_started', url);
    expect((await event(call.call_id, { event: 'call_started', url })).status).toBe(409);
  });

  it('reports an unreachable receiver as null; the call still moves', async () => {
    const call = await placeCall(CALLS_KEY);
    const answer = await sent(call.call_id, 'call_started', await unreachableUrl());
    expect(answer.webhook.receiverStatus).toBeNull();
    expect(answer.callStatus).toBe('ongoing');
  });

  it('never shows an API key in its answers or the state dump', async () => {
    const call = await placeCall(CALLS_KEY);
    const answers = [
      await event(call.call_id, { event: 'call_started', url: `${hook.url}/h` }),
      await kit.sandbox.admin('GET', 'state'),
    ];
    const text = answers.map((a) => JSON.stringify(a.body)).join('\n');
    for (const key of [CALLS_KEY, HOOK_KEY, SOLO_KEY]) expect(text.includes(key)).toBe(false);
  });
});
