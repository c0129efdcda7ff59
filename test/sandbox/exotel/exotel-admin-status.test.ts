// Exotel calls at the admin surface: the call log records the account sid and the API key each
// call was authenticated with (never the token), and `POST /__sandbox/exotel/calls/:sid/status`
// ends a call, sending the JSON StatusCallback when the call asked for it.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { secretDigest } from '../../../src/sandbox/core/secret-digest.js';
import { useTestSandbox } from '../../support/sandbox.js';
import { startCallbackReceiver, type CallbackReceiver } from '../callback-receiver.js';

const PHONE = {
  host: 'api.in.exotel.com',
  sid: 'phone_acct',
  apiKey: 'pk1',
  apiToken: 'PhT-9f8e',
} as const;
const TENANT = {
  host: 'api.in.exotel.com',
  sid: 'tenant_acct',
  apiKey: 'tk1',
  apiToken: 'TnT-7a6b',
} as const;
const kit = useTestSandbox({ exotel: { accounts: [PHONE, TENANT] } });
let hook: CallbackReceiver;

async function connect(
  account: typeof PHONE | typeof TENANT,
  form: Record<string, string>,
): Promise<string> {
  const auth = Buffer.from(`${account.apiKey}:${account.apiToken}`).toString('base64');
  const res = await fetch(
    `${kit.url}/exotel/${account.host}/v1/Accounts/${account.sid}/Calls/connect.json`,
    {
      method: 'POST',
      headers: {
        authorization: `Basic ${auth}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(form).toString(),
    },
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { Call: { Sid: string } }).Call.Sid;
}
const connectForm = { From: '+919800000002', CallerId: '08047000000', Url: 'http://x/flow' };
type Dump = {
  exotel: Record<string, { sid: string; calls: Record<string, unknown>[] }[]>;
};

beforeAll(async () => {
  hook = await startCallbackReceiver();
});
afterAll(() => hook.close());
beforeEach(() => {
  hook.received.length = 0;
});

describe('Exotel calls at the admin surface', () => {
  it('records per call the account sid and the API key it was authenticated with', async () => {
    const sid = await connect(PHONE, connectForm);
    expect(kit.sandbox.context.exotel.findCallBySid(sid)).toMatchObject({
      accountSid: PHONE.sid,
      apiKey: PHONE.apiKey,
    });
    const state = (await kit.sandbox.admin('GET', 'state')).body as Dump;
    const accounts = state.exotel[PHONE.host] ?? [];
    expect(accounts.find((a) => a.sid === TENANT.sid)?.calls).toEqual([]);
    expect(accounts.find((a) => a.sid === PHONE.sid)?.calls).toEqual([
      expect.objectContaining({
        sid,
        accountSid: PHONE.sid,
        apiKey: secretDigest(PHONE.apiKey),
        status: 'in-progress',
      }),
    ]);
    const text = JSON.stringify(state);
    expect(text.includes(PHONE.apiToken) || text.includes(TENANT.apiToken)).toBe(false);
  });

  it('completes a call, POSTing the JSON StatusCallback, and the call log shows it', async () => {
    const token = randomBytes(32).toString('base64url'); // telvault's per-call hook token
    const url = `${hook.url}/hooks/exotel/t1/${token}/status`;
    const sid = await connect(PHONE, {
      ...connectForm,
      StatusCallback: url,
      StatusCallbackContentType: 'application/json',
      CustomField: 'rec-1',
    });
    const answer = await kit.sandbox.admin('POST', `exotel/calls/${sid}/status`, {
      status: 'no-answer',
    });
    expect(answer).toMatchObject({
      status: 200,
      body: {
        sid,
        previousStatus: 'in-progress',
        status: 'no-answer',
        callback: {
          url: `${hook.url}/hooks/exotel/t1/${secretDigest(token)}/status`,
          contentType: 'application/json',
          fields: { CallSid: sid, Status: 'no-answer', CustomField: 'rec-1' },
          receiverStatus: 204,
        },
      },
    });
    expect(JSON.stringify(answer)).not.toContain(token);
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]?.url).toBe(`/hooks/exotel/t1/${token}/status`);
    expect(hook.received[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(hook.received[0]?.body ?? '{}')).toMatchObject({
      CallSid: sid,
      Status: 'no-answer',
    });
    expect(kit.sandbox.context.exotel.findCallBySid(sid)?.status).toBe('no-answer');
  });

  it('answers null without a StatusCallback; refuses a second end, a bad status, an unknown call', async () => {
    const sid = await connect(TENANT, connectForm);
    const end = (body: unknown, callSid = sid) =>
      kit.sandbox.admin('POST', `exotel/calls/${callSid}/status`, body);
    expect((await end({ status: 'ringing' })).body).toEqual({
      error: expect.stringMatching(/^"status" /) as unknown,
    });
    expect(await end({ status: 'completed' })).toMatchObject({
      status: 200,
      body: { status: 'completed', callback: null },
    });
    expect(await end({ status: 'busy' })).toEqual({
      status: 409,
      body: { error: '"status" cannot move a completed call' },
    });
    expect((await end({ status: 'busy' }, 'f'.repeat(32))).status).toBe(404);
    expect(kit.sandbox.context.exotel.findCallBySid(sid)?.status).toBe('completed');
    expect(hook.received).toHaveLength(0);
  });
});
