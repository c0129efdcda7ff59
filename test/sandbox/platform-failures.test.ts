// What the sandbox gives a platform to test the failures the product exists for: a Retell
// number whose SIP auth is broken (POST /__sandbox/retell/break-sip-auth), a Twilio account
// seeded with numbers it owns (SMS-capable: a valid From), and Retell bodies holding a field its
// spec does not list, refused with a 400 naming it (update-phone-number's nested
// `sip_outbound_trunk_config` used to answer 200 and change nothing).
import { randomBytes } from 'node:crypto';
import Retell from 'retell-sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSandboxSeed } from '../../src/sandbox/seed.js';
import { useTestSandbox } from '../support/sandbox.js';
import { retellRaw } from './retell/retell-raw.js';
import { rawSdk } from './twilio/twilio-test-kit.js';

const KEY = 'key_platform_failures_01';
const PASSWORD = 'PlatformSipPassw0rd';
const OWNED = '+14155550171';
const TWILIO = {
  sid: `AC${randomBytes(16).toString('hex')}`,
  authToken: randomBytes(16).toString('hex'),
  numbers: [OWNED],
};
const kit = useTestSandbox({ retell: { apiKeys: [KEY] }, twilio: { accounts: [TWILIO] } });
let sdk: Retell;
let seq = 0;
const raw = (method: string, path: string, body?: unknown) =>
  retellRaw(kit.url, KEY, method, path, body);

beforeAll(() => {
  sdk = new Retell({ apiKey: KEY, baseURL: `${kit.url}/retell`, maxRetries: 0, logLevel: 'off' });
});

async function importWithAuth(phone: string): Promise<void> {
  await sdk.phoneNumber.import({
    phone_number: phone,
    termination_uri: 'acme.pstn.twilio.com',
    sip_trunk_auth_username: 'acme_user',
    sip_trunk_auth_password: PASSWORD,
  });
}
const verify = async (phone: string, username: string) =>
  (
    await kit.sandbox.admin('POST', 'retell/verify-sip', {
      phoneNumber: phone,
      username,
      password: PASSWORD,
    })
  ).body;

describe('POST /__sandbox/retell/break-sip-auth', () => {
  it.each([
    ['empty', ''],
    ['none', null],
    ['wrong', 'someone_else'],
  ])(
    'breaks a number SIP auth (%s auth_username); Retell shows it and it no longer verifies',
    async (_name, authUsername) => {
      const phone = `+1415555${String(1100 + (seq += 1))}`;
      await importWithAuth(phone);
      expect(await verify(phone, 'acme_user')).toEqual({ ok: true });
      const broken = await kit.sandbox.admin('POST', 'retell/break-sip-auth', {
        phoneNumber: phone,
        authUsername,
      });
      expect(broken).toEqual({ status: 200, body: { phoneNumber: phone, authUsername } });
      const view = await sdk.phoneNumber.retrieve(phone);
      expect(view.sip_outbound_trunk_config?.auth_username ?? null).toBe(authUsername);
      expect(await verify(phone, 'acme_user')).toEqual({ ok: false });
      // The repair the product does: PATCH the flat fields Retell documents.
      await sdk.phoneNumber.update(phone, {
        termination_uri: 'acme.pstn.twilio.com',
        auth_username: 'acme_user',
        auth_password: PASSWORD,
      });
      expect(await verify(phone, 'acme_user')).toEqual({ ok: true });
    },
  );

  it('refuses an unknown number (404), a bad or unknown field (400)', async () => {
    const admin = (body: unknown) => kit.sandbox.admin('POST', 'retell/break-sip-auth', body);
    expect(await admin({ phoneNumber: '+14155550999', authUsername: '' })).toEqual({
      status: 404,
      body: { error: 'no Retell number +14155550999' },
    });
    expect(await admin({ phoneNumber: '+14155550999', authUsername: 3 })).toEqual({
      status: 400,
      body: { error: '"authUsername" must be a string ("" for empty) or null' },
    });
    expect(await admin({ phoneNumber: '+14155550999', username: 'x' })).toEqual({
      status: 400,
      body: { error: 'unknown field(s): username' },
    });
  });
});

describe('Retell bodies with a field its spec does not list', () => {
  it('refuses update-phone-number with the nested sip_outbound_trunk_config, changing nothing', async () => {
    const phone = '+14155550181';
    await importWithAuth(phone);
    const r = await raw('PATCH', `/update-phone-number/${phone}`, {
      nickname: 'renamed',
      sip_outbound_trunk_config: { auth_username: 'other', termination_uri: 'x.pstn.twilio.com' },
    });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.json)).toContain(
      'sip_outbound_trunk_config: unknown field (sip_outbound_trunk_config is the response shape; send termination_uri, auth_username, auth_password and transport at the top level)',
    );
    const view = await sdk.phoneNumber.retrieve(phone);
    expect(view.nickname).toBeNull();
    expect(view.sip_outbound_trunk_config?.auth_username).toBe('acme_user');
  });

  it('names every unknown field of an import and of a call, and imports nothing', async () => {
    const r = await raw('POST', '/import-phone-number', {
      phone_number: '+14155550182',
      termination_uri: 'acme.pstn.twilio.com',
      auth_username: 'acme_user',
      sip_password: 'x',
    });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.json)).toContain('auth_username, sip_password: unknown field');
    expect((await raw('GET', '/get-phone-number/+14155550182')).status).toBe(422);
    const call = await raw('POST', '/v2/create-phone-call', {
      from_number: '+14155550181',
      to_number: '+14155550183',
      agent_id: 'agent_x',
    });
    expect(call.status).toBe(400);
    expect(JSON.stringify(call.json)).toContain('agent_id: unknown field');
  });
});

describe('Twilio seed numbers', () => {
  it('gives an account SMS-capable numbers it owns: a valid From; another number is not', async () => {
    const client = rawSdk(kit.sandbox, TWILIO.sid, TWILIO.authToken);
    const owned = await client.incomingPhoneNumbers.list();
    expect(owned.map((n) => [n.phoneNumber, n.capabilities.sms])).toEqual([[OWNED, true]]);
    const sent = await client.messages.create({ from: OWNED, to: '+14155550190', body: 'hi' });
    expect(sent.from).toBe(OWNED);
    await expect(
      client.messages.create({ from: '+14155550172', to: '+14155550190', body: 'hi' }),
    ).rejects.toMatchObject({ status: 400, code: 21606 });
  });

  it('refuses a seed number that is not E.164, naming the field', () => {
    expect(() =>
      parseSandboxSeed({ twilio: { accounts: [{ ...TWILIO, numbers: ['4155550171'] }] } }),
    ).toThrow('invalid sandbox seed: "twilio.accounts.0.numbers.0" must be an E.164 number');
  });
});
