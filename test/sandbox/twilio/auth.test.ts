// Principals on both Twilio hosts: Basic auth with auth tokens and API keys (401 / 20003),
// v2010 scoped by the path's account (self, parent, own keys), trunking by the authenticated one;
// Twilio's error JSON for 401 and 404; paging limits.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSandbox, twilioAccounts, type TestSandbox } from '../../support/sandbox.js';
import {
  expectProviderError,
  keyClient,
  mainClient,
  rawSdk,
  subClient,
  expectNoSecretServed,
} from './twilio-test-kit.js';

const CREDENTIALS_INVALID = {
  code: 'ERR_PROVIDER_CREDENTIALS_INVALID',
  status: 401,
  providerCode: 20003,
  retryable: false,
};

describe('Twilio principals', () => {
  let sb: TestSandbox;
  beforeAll(async () => {
    sb = await startTestSandbox();
  });
  beforeEach(() => sb.context.twilio.reset());
  afterAll(() => sb.close());

  it('answers a bad token with 401 / 20003 "Authenticate" on both hosts', async () => {
    const { main } = twilioAccounts(sb.seed);
    const sdk = rawSdk(sb, main.sid, 'f'.repeat(32));
    await expect(sdk.trunking.v1.trunks.list()).rejects.toMatchObject({
      status: 401,
      code: 20003,
      message: 'Authenticate',
    });
    await expect(sdk.sip.credentialLists.list()).rejects.toMatchObject({
      status: 401,
      code: 20003,
    });

    const response = await fetch(`${sb.url}/twilio-trunking/v1/Trunks`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      code: 20003,
      message: 'Authenticate',
      more_info: 'https://www.twilio.com/docs/errors/20003',
      status: 401,
    });
  });

  it('maps a 401 to ERR_PROVIDER_CREDENTIALS_INVALID in the client, also for an unknown account', async () => {
    const unknown = rawSdk(sb, `AC${'1'.repeat(32)}`, 'x');
    await expect(unknown.api.v2010.accounts(`AC${'1'.repeat(32)}`).fetch()).rejects.toMatchObject({
      status: 401,
    });
    const { main } = twilioAccounts(sb.seed);
    const client = mainClient(sb);
    const wrongKey = rawSdk(sb, main.keySid, 'wrong secret', main.sid);
    await expect(wrongKey.trunking.v1.trunks.list()).rejects.toMatchObject({
      status: 401,
      code: 20003,
    });
    await expect(client.run('ok', (s) => s.trunking.v1.trunks.list())).resolves.toEqual([]);
  });

  it('accepts an API key (SK + secret with the account sid) on both hosts', async () => {
    const keyed = keyClient(sb);
    const trunk = await keyed.sdk.trunking.v1.trunks.create({ friendlyName: 'by key' });
    expect(trunk.accountSid).toBe(keyed.accountSid);
    const cl = await keyed.sdk.sip.credentialLists.create({ friendlyName: 'by key' });
    expect(cl.accountSid).toBe(keyed.accountSid);
    expect((await mainClient(sb).sdk.trunking.v1.trunks.list()).map((t) => t.sid)).toEqual([
      trunk.sid,
    ]);
  });

  it('lets a parent reach its subaccount on v2010, never the other way round', async () => {
    const { main, sub } = twilioAccounts(sb.seed);
    const parentOnSub = rawSdk(sb, main.sid, main.authToken, sub.sid);
    const cl = await parentOnSub.sip.credentialLists.create({ friendlyName: 'for the sub' });
    expect(cl.accountSid).toBe(sub.sid);
    expect((await subClient(sb).sdk.sip.credentialLists.list()).map((l) => l.sid)).toEqual([
      cl.sid,
    ]);

    const subOnParent = rawSdk(sb, sub.sid, sub.authToken, main.sid);
    await expect(subOnParent.sip.credentialLists.list()).rejects.toMatchObject({
      status: 401,
      code: 20003,
    });
    // The parent's API keys cannot reach subaccount resources.
    const parentKeyOnSub = rawSdk(sb, main.keySid, main.keySecret, sub.sid);
    await expect(parentKeyOnSub.sip.credentialLists.list()).rejects.toMatchObject({ status: 401 });
  });

  it('puts trunks on the authenticated account, whatever accountSid the SDK was given', async () => {
    const { main, sub } = twilioAccounts(sb.seed);
    const parentOnSub = rawSdk(sb, main.sid, main.authToken, sub.sid);
    const trunk = await parentOnSub.trunking.v1.trunks.create({
      friendlyName: 'lands on the parent',
    });
    expect(trunk.accountSid).toBe(main.sid);
    expect(await subClient(sb).sdk.trunking.v1.trunks.list()).toEqual([]);
  });

  it('lists the accounts a principal can reach and fetches one', async () => {
    const { main, sub } = twilioAccounts(sb.seed);
    const accounts = await mainClient(sb).sdk.api.v2010.accounts.list();
    expect(accounts.map((a) => a.sid).sort()).toEqual([main.sid, sub.sid].sort());
    const fetched = await subClient(sb).sdk.api.v2010.accounts(sub.sid).fetch();
    expect(fetched).toMatchObject({
      sid: sub.sid,
      ownerAccountSid: main.sid,
      status: 'active',
      authToken: null,
    });
  });

  it('answers unknown resources and routes with 404 / 20404 naming the canonical path', async () => {
    const { main } = twilioAccounts(sb.seed);
    const auth = `Basic ${Buffer.from(`${main.sid}:${main.authToken}`).toString('base64')}`;
    const response = await fetch(
      `${sb.url}/twilio-api/2010-04-01/Accounts/${main.sid}/Nothing.json`,
      { headers: { authorization: auth } },
    );
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      code: 20404,
      message: `The requested resource /2010-04-01/Accounts/${main.sid}/Nothing.json was not found`,
      more_info: 'https://www.twilio.com/docs/errors/20404',
      status: 404,
    });
    await expectProviderError(
      mainClient(sb).run('trunks.fetch', (s) =>
        s.trunking.v1.trunks(`TK${'a'.repeat(32)}`).fetch(),
      ),
      { code: 'ERR_PROVIDER_NOT_FOUND', status: 404, providerCode: 20404 },
    );
  });

  it('refuses PageSize outside 1..1000', async () => {
    const client = mainClient(sb);
    for (const pageSize of [0, 1001]) {
      const { main } = twilioAccounts(sb.seed);
      const auth = `Basic ${Buffer.from(`${main.sid}:${main.authToken}`).toString('base64')}`;
      const response = await fetch(`${sb.url}/twilio-trunking/v1/Trunks?PageSize=${pageSize}`, {
        headers: { authorization: auth },
      });
      expect(response.status).toBe(400);
    }
    await expect(client.sdk.trunking.v1.trunks.list({ pageSize: 1000 })).resolves.toEqual([]);
  });

  it('keeps CREDENTIALS_INVALID non-retryable', async () => {
    const { main } = twilioAccounts(sb.seed);
    const bad = mainClient(sb);
    const wrong = { ...bad, sdk: rawSdk(sb, main.sid, 'nope') };
    await expectProviderError(
      bad.run('trunks.list', () => wrong.sdk.trunking.v1.trunks.list()),
      CREDENTIALS_INVALID,
    );
  });

  it('served no token, key secret or SIP password in any response', () => {
    expectNoSecretServed(sb, []);
  });
});
