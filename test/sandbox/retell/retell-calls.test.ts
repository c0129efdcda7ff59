// Retell outbound calls through retell-sdk (client.call.createPhoneCall, client.call.retrieve):
// the number must be imported in the caller's workspace, the agent is the override or the
// number's outbound agent, and calls are kept per workspace.
import Retell, { BadRequestError, UnprocessableEntityError } from 'retell-sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestSandbox } from '../../support/sandbox.js';

const KEY = 'key_retell_calls_test';
const OTHER = 'key_retell_calls_other';
const FROM = '+14155550100';
const TO = '+14155550777';
const kit = useTestSandbox({ retell: { apiKeys: [KEY, OTHER] } });
let sdk: Retell;
let other: Retell;

const client = (apiKey: string) =>
  new Retell({ apiKey, baseURL: `${kit.url}/retell`, maxRetries: 0, logLevel: 'off' });
const importFrom = (retell: Retell, extra: Record<string, unknown> = {}) =>
  retell.phoneNumber.import({ phone_number: FROM, termination_uri: 't.pstn.twilio.com', ...extra });

beforeAll(() => {
  sdk = client(KEY);
  other = client(OTHER);
});

describe('Retell create-phone-call and get-call', () => {
  it("answers the call object with the number's outbound agent, and retrieves it", async () => {
    await importFrom(sdk, {
      outbound_agents: [{ agent_id: 'agent_out', weight: 1, agent_version: 4 }],
    });
    const call = await sdk.call.createPhoneCall({
      from_number: FROM,
      to_number: TO,
      metadata: { record: 'r1' },
      retell_llm_dynamic_variables: { name: 'Ada' },
    });
    expect(call).toEqual({
      call_id: expect.stringMatching(/^[0-9a-f]{32}$/) as unknown,
      call_type: 'phone_call',
      agent_id: 'agent_out',
      agent_version: 4,
      call_status: 'registered',
      from_number: FROM,
      to_number: TO,
      direction: 'outbound',
      metadata: { record: 'r1' },
      retell_llm_dynamic_variables: { name: 'Ada' },
    });
    expect(await sdk.call.retrieve(call.call_id)).toEqual(call);
  });

  it('uses override_agent_id over the bound agent, and the deprecated outbound_agent_id', async () => {
    await importFrom(sdk, { outbound_agent_id: 'agent_bound' });
    const bound = await sdk.call.createPhoneCall({ from_number: FROM, to_number: TO });
    expect(bound).toMatchObject({ agent_id: 'agent_bound', agent_version: 0 });
    const override = await sdk.call.createPhoneCall({
      from_number: FROM,
      to_number: TO,
      override_agent_id: 'agent_once',
      override_agent_version: 2,
    });
    expect(override).toMatchObject({ agent_id: 'agent_once', agent_version: 2 });
  });

  it('refuses a number without an outbound agent (400) unless an agent is given', async () => {
    await importFrom(sdk, { inbound_agent_id: 'agent_in_only' });
    const refused = sdk.call.createPhoneCall({ from_number: FROM, to_number: TO });
    await expect(refused).rejects.toBeInstanceOf(BadRequestError);
    await expect(refused).rejects.toMatchObject({ status: 400, error: { status: 'error' } });
    expect(kit.sandbox.context.retell.calls.list(workspaceOf(KEY))).toEqual([]);
    const given = await sdk.call.createPhoneCall({
      from_number: FROM,
      to_number: TO,
      override_agent_id: 'agent_x',
    });
    expect(given.agent_id).toBe('agent_x');
  });

  it('answers 422 for a number of another workspace, and hides its calls', async () => {
    await importFrom(sdk, { outbound_agent_id: 'agent_a' });
    const call = await sdk.call.createPhoneCall({ from_number: FROM, to_number: TO });
    await expect(
      other.call.createPhoneCall({ from_number: FROM, to_number: TO, override_agent_id: 'a' }),
    ).rejects.toBeInstanceOf(UnprocessableEntityError);
    await expect(other.call.retrieve(call.call_id)).rejects.toMatchObject({
      status: 422,
      error: { status: 'error', message: 'Cannot find requested asset under given api key.' },
    });
    await expect(sdk.call.retrieve('0'.repeat(32))).rejects.toBeInstanceOf(
      UnprocessableEntityError,
    );
  });

  it('refuses numbers not in E.164 (400) and creates nothing', async () => {
    await importFrom(sdk, { outbound_agent_id: 'agent_a' });
    const bad = [
      { from_number: FROM, to_number: '4155550777' },
      { from_number: '4155550100', to_number: TO },
      { from_number: FROM, to_number: '' },
    ];
    for (const body of bad) {
      await expect(sdk.call.createPhoneCall(body)).rejects.toMatchObject({ status: 400 });
    }
    expect(kit.sandbox.context.retell.calls.list(workspaceOf(KEY))).toEqual([]);
  });

  it('shows calls in the admin state (numbers as they are), never an API key', async () => {
    await importFrom(sdk, { outbound_agent_id: 'agent_a' });
    const call = await sdk.call.createPhoneCall({ from_number: FROM, to_number: TO });
    const { body } = await kit.sandbox.admin('GET', 'state');
    const state = body as { retell: { workspaces: { calls: { call_id: string }[] }[] } };
    const calls = state.retell.workspaces.flatMap((w) => w.calls);
    expect(calls).toEqual([expect.objectContaining({ call_id: call.call_id, to_number: TO })]);
    const text = JSON.stringify(body);
    expect(text.includes(KEY) || text.includes(OTHER)).toBe(false);
  });
});

function workspaceOf(key: string): string {
  const ws = kit.sandbox.context.retell.workspaceFor(key);
  if (ws === undefined) throw new Error('unknown key');
  return ws;
}
