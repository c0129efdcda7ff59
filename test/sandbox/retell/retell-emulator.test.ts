// The Retell emulator's own behaviour, driven through retell-sdk where the SDK has a call for it
// (and its generic `get` for the old list endpoint), and raw HTTP for what the SDK cannot send.
import Retell, { UnprocessableEntityError } from 'retell-sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestSandbox } from '../../support/sandbox.js';
import { resetSandboxContext } from '../../../src/sandbox/sandbox-context.js';
import { retellRaw } from './retell-raw.js';

const KEY = 'key_retell_emulator_test';
const PASSWORD = 'Emulat0rSipPassword';
const kit = useTestSandbox({ retell: { apiKeys: [KEY] } });
let sdk: Retell;

const raw = (method: string, path: string, body?: unknown, key = KEY) =>
  retellRaw(kit.url, key, method, path, body);

const importN = (phone: string, extra: Record<string, unknown> = {}) =>
  sdk.phoneNumber.import(
    { phone_number: phone, termination_uri: 't.pstn.twilio.com', ...extra },
    { maxRetries: 0 },
  );

beforeAll(() => {
  sdk = new Retell({ apiKey: KEY, baseURL: `${kit.url}/retell`, maxRetries: 0, logLevel: 'off' });
});

describe('Retell emulator', () => {
  it('accepts `+` raw (as the SDK sends it) and %2B-encoded in paths', async () => {
    await importN('+14155550100');
    expect((await sdk.phoneNumber.retrieve('+14155550100')).phone_number).toBe('+14155550100');
    const sent = kit.sandbox.context.exchanges.entries.map((e) => e.url);
    expect(sent).toContain('/retell/get-phone-number/+14155550100');
    expect((await raw('GET', '/get-phone-number/%2B14155550100')).status).toBe(200);
  });

  it("answers 422 with Retell's error body for an unknown number", async () => {
    await expect(sdk.phoneNumber.retrieve('+14155550199')).rejects.toBeInstanceOf(
      UnprocessableEntityError,
    );
    expect(await raw('PATCH', '/update-phone-number/+14155550199', { nickname: 'x' })).toEqual({
      status: 422,
      json: { status: 'error', message: 'Cannot find requested asset under given api key.' },
    });
  });

  it('answers 401 for a missing or unknown key', async () => {
    expect(await raw('GET', '/list-phone-numbers', undefined, 'nope')).toEqual({
      status: 401,
      json: { status: 'error', message: 'API key is missing or invalid.' },
    });
    const res = await fetch(`${kit.url}/retell/list-phone-numbers`);
    expect(res.status).toBe(401);
  });

  it('keeps the deprecated and the current agent fields consistent', async () => {
    const deprecated = { inbound_agent_id: 'agent_old', inbound_agent_version: 3 };
    const imported = await importN('+14155550101', deprecated);
    expect(imported).toMatchObject({
      inbound_agent_id: 'agent_old',
      inbound_agent_version: 3,
      inbound_agents: [{ agent_id: 'agent_old', weight: 1, agent_version: 3 }],
    });
    const updated = await sdk.phoneNumber.update(
      '+14155550101',
      {
        inbound_agents: [{ agent_id: 'agent_new', weight: 1 }],
        outbound_agents: [
          { agent_id: 'o1', weight: 0.25 },
          { agent_id: 'o2', weight: 0.75 },
        ],
      },
      { maxRetries: 0 },
    );
    expect(updated).toMatchObject({ inbound_agent_id: 'agent_new', outbound_agent_id: null });
    expect(updated.outbound_agents).toHaveLength(2);
    const bad = await raw('PATCH', '/update-phone-number/+14155550101', {
      inbound_agents: [{ agent_id: 'a', weight: 0.5 }],
    });
    expect(bad.status).toBe(400);
  });

  it('serves the old list endpoint (bare array) and the v2 paged one', async () => {
    for (const n of ['+14155550111', '+14155550112', '+14155550113']) await importN(n);
    const old = await sdk.get<{ phone_number: string }[]>('/list-phone-numbers');
    expect(old.map((n) => n.phone_number)).toEqual([
      '+14155550111',
      '+14155550112',
      '+14155550113',
    ]);
    const first = await sdk.phoneNumber.list({ limit: 2 });
    expect(first.items.map((n) => n.phone_number)).toEqual(['+14155550113', '+14155550112']);
    expect(first).toMatchObject({ has_more: true, pagination_key: '+14155550112' });
    const second = await sdk.phoneNumber.list({ limit: 2, pagination_key: '+14155550112' });
    expect(second.items.map((n) => n.phone_number)).toEqual(['+14155550111']);
    expect(second.has_more).toBe(false);
    expect(second.pagination_key).toBeUndefined();
    expect((await raw('GET', '/v2/list-phone-numbers?limit=1001')).status).toBe(400);
    expect((await raw('GET', '/v2/list-phone-numbers?pagination_key=%2B1999')).status).toBe(400);
  });

  it('validates import bodies and E.164 when asked to', async () => {
    expect((await raw('POST', '/import-phone-number', { phone_number: '+1415' })).status).toBe(400);
    const notE164 = { phone_number: 'abc', termination_uri: 't', ignore_e164_validation: false };
    expect((await raw('POST', '/import-phone-number', notE164)).status).toBe(400);
    const pseudo = { phone_number: 'internal-1', termination_uri: 't' };
    expect((await raw('POST', '/import-phone-number', pseudo)).status).toBe(201);
  });

  it('keeps SIP passwords as digests: no response or dump shows one; reset restores the seed', async () => {
    await importN('+14155550120', {
      sip_trunk_auth_username: 'u',
      sip_trunk_auth_password: PASSWORD,
    });
    const got = await sdk.phoneNumber.retrieve('+14155550120');
    expect(got.sip_outbound_trunk_config).toEqual({
      termination_uri: 't.pstn.twilio.com',
      auth_username: 'u',
      transport: 'TCP',
    });
    const state = await (await fetch(`${kit.url}/__sandbox/state`)).text();
    expect(state).toContain('+14155550120');
    expect(state).not.toContain(PASSWORD);
    expect(state).not.toContain(KEY);
    resetSandboxContext(kit.sandbox.context);
    expect((await raw('GET', '/list-phone-numbers')).json).toEqual([]);
  });

  it('creates keys through the admin surface; a key can join an existing workspace', async () => {
    const created = await fetch(`${kit.url}/__sandbox/retell/keys`, { method: 'POST' });
    expect(created.status).toBe(201);
    const { apiKey, workspace } = (await created.json()) as { apiKey: string; workspace: string };
    expect((await raw('GET', '/list-phone-numbers', undefined, apiKey)).status).toBe(200);
    const joined = kit.sandbox.context.retell.createKey({ apiKey: 'key_joined', workspace });
    await raw(
      'POST',
      '/import-phone-number',
      { phone_number: '+14155550130', termination_uri: 't' },
      apiKey,
    );
    expect(
      (await raw('GET', '/get-phone-number/+14155550130', undefined, joined.apiKey)).status,
    ).toBe(200);
    expect((await raw('GET', '/get-phone-number/+14155550130')).status).toBe(422);
  });

  it("answers an injected fault with Retell's error body", async () => {
    kit.sandbox.context.faults.add({
      route: '/retell/list-phone-numbers',
      action: {
        kind: 'error',
        status: 429,
        message: 'Account rate limited, please throttle your requests.',
      },
    });
    expect(await raw('GET', '/list-phone-numbers')).toEqual({
      status: 429,
      json: { status: 'error', message: 'Account rate limited, please throttle your requests.' },
    });
  });
});
