// Subaccounts made through the API (POST /2010-04-01/Accounts.json) with the official SDK: the
// answer's account shape and token, the list filters showing that token again, the new
// subaccount's own credentials on every host, and who may not create one.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSandbox, twilioAccounts, type TestSandbox } from '../../support/sandbox.js';
import { expectNoSecretServed, rawSdk } from './twilio-test-kit.js';

const RFC2822 = /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/;

describe('Twilio subaccounts', () => {
  let sb: TestSandbox;
  beforeAll(async () => {
    sb = await startTestSandbox();
  });
  beforeEach(() => sb.context.twilio.reset());
  afterAll(() => sb.close());

  const mainSdk = () => {
    const { main } = twilioAccounts(sb.seed);
    return rawSdk(sb, main.sid, main.authToken);
  };

  it('creates a subaccount of the authenticated main account, showing its new token', async () => {
    const { main } = twilioAccounts(sb.seed);
    const created = await mainSdk().api.v2010.accounts.create({ friendlyName: 'tenant-acme' });
    expect(created.sid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(created.authToken).toMatch(/^[0-9a-f]{32}$/);
    expect(created).toMatchObject({
      friendlyName: 'tenant-acme',
      ownerAccountSid: main.sid,
      status: 'active',
      type: 'Full',
      uri: `/2010-04-01/Accounts/${created.sid}.json`,
    });
    expect(created.subresourceUris).toMatchObject({
      incoming_phone_numbers: `/2010-04-01/Accounts/${created.sid}/IncomingPhoneNumbers.json`,
      sip: `/2010-04-01/Accounts/${created.sid}/SIP.json`,
    });
    expect(Number.isNaN(created.dateCreated.getTime())).toBe(false);
    const raw = sb.context.exchanges.entries.at(-1);
    expect(raw?.status).toBe(201);
    const body = JSON.parse(raw?.responseBody ?? '{}') as Record<string, unknown>;
    expect(body.date_created).toMatch(RFC2822);
    expect(body.auth_token).toBe(created.authToken);

    // The state dump shows a hash of the token, never the token.
    const state = JSON.stringify((await sb.admin('GET', 'state')).body);
    expect(state).toContain(created.sid);
    expect(state).not.toContain(created.authToken);
  });

  it("names it as Twilio's default when no FriendlyName is given", async () => {
    const created = await mainSdk().api.v2010.accounts.create();
    expect(created.friendlyName).toMatch(
      /^SubAccount Created at \d{4}-\d{2}-\d{2} (0\d|1[0-2]):[0-5]\d (am|pm)$/,
    );
  });

  it('lists it by FriendlyName and Status, with its token; seeded accounts show none', async () => {
    const { main, sub } = twilioAccounts(sb.seed);
    const sdk = mainSdk();
    const created = await sdk.api.v2010.accounts.create({ friendlyName: 'tenant-acme' });
    await sdk.api.v2010.accounts.create({ friendlyName: 'tenant-other' });

    const found = await sdk.api.v2010.accounts.list({
      friendlyName: 'tenant-acme',
      status: 'active',
    });
    expect(found.map((a) => [a.sid, a.authToken, a.ownerAccountSid])).toEqual([
      [created.sid, created.authToken, main.sid],
    ]);
    expect(await sdk.api.v2010.accounts.list({ friendlyName: 'nobody' })).toEqual([]);
    expect(
      await sdk.api.v2010.accounts.list({ friendlyName: 'tenant-acme', status: 'closed' }),
    ).toEqual([]);
    const all = await sdk.api.v2010.accounts.list({ status: 'active' });
    expect(all).toHaveLength(4);
    expect(
      all.filter((a) => a.sid === main.sid || a.sid === sub.sid).map((a) => a.authToken),
    ).toEqual([null, null]);
    // The filters stay in the paging links, so every page applies them.
    const page = await sdk.api.v2010.accounts.page({ friendlyName: 'tenant-acme', pageSize: 1 });
    expect(page.instances).toHaveLength(1);
    const lastBody = JSON.parse(sb.context.exchanges.entries.at(-1)?.responseBody ?? '{}') as {
      first_page_uri?: string;
    };
    expect(lastBody.first_page_uri).toContain('FriendlyName=tenant-acme');

    const fetched = await sdk.api.v2010.accounts(created.sid).fetch();
    expect(fetched.authToken).toBe(created.authToken);
    const bad = await fetch(`${sb.url}/twilio-api/2010-04-01/Accounts.json?Status=gone`, {
      headers: { authorization: basic(main.sid, main.authToken) },
    });
    expect(bad.status).toBe(400);
  });

  it('lets the new subaccount work with its own sid and token on both hosts', async () => {
    const { main } = twilioAccounts(sb.seed);
    const created = await mainSdk().api.v2010.accounts.create({ friendlyName: 'tenant-acme' });
    const own = rawSdk(sb, created.sid, created.authToken);

    const trunk = await own.trunking.v1.trunks.create({ domainName: 'acme.pstn.twilio.com' });
    expect(trunk.accountSid).toBe(created.sid);
    const cl = await own.sip.credentialLists.create({ friendlyName: 'retell' });
    expect(cl.accountSid).toBe(created.sid);
    const pn = await own.incomingPhoneNumbers.create({
      phoneNumber: '+14155550123',
      trunkSid: trunk.sid,
    });
    expect(pn).toMatchObject({ accountSid: created.sid, trunkSid: trunk.sid });
    expect((await own.api.v2010.accounts(created.sid).fetch()).authToken).toBe(created.authToken);
    // The accounts list of a subaccount is itself only.
    expect((await own.api.v2010.accounts.list()).map((a) => a.sid)).toEqual([created.sid]);

    // The parent reaches its v2010 resources; the trunk is not the parent's.
    const parentOnSub = rawSdk(sb, main.sid, main.authToken, created.sid);
    expect((await parentOnSub.incomingPhoneNumbers.list()).map((n) => n.sid)).toEqual([pn.sid]);
    expect(await mainSdk().trunking.v1.trunks.list()).toEqual([]);

    // A wrong token for it is refused.
    const wrong = rawSdk(sb, created.sid, '0'.repeat(32));
    await expect(wrong.sip.credentialLists.list()).rejects.toMatchObject({
      status: 401,
      code: 20003,
    });
  });

  it("makes a subaccount of the key's account with an API key of the main account", async () => {
    const { main } = twilioAccounts(sb.seed);
    const keyed = rawSdk(sb, main.keySid, main.keySecret, main.sid);
    const created = await keyed.api.v2010.accounts.create({ friendlyName: 'by-key' });
    expect(created.ownerAccountSid).toBe(main.sid);
    const own = rawSdk(sb, created.sid, created.authToken);
    expect((await own.sip.credentialLists.list()).length).toBe(0);
  });

  it('refuses a subaccount creating a subaccount, and bad credentials', async () => {
    const { sub, main } = twilioAccounts(sb.seed);
    await expect(
      rawSdk(sb, sub.sid, sub.authToken).api.v2010.accounts.create({ friendlyName: 'nested' }),
    ).rejects.toMatchObject({ status: 403, code: 20403 });
    const created = await mainSdk().api.v2010.accounts.create({ friendlyName: 'tenant' });
    await expect(
      rawSdk(sb, created.sid, created.authToken).api.v2010.accounts.create({ friendlyName: 'x' }),
    ).rejects.toMatchObject({ status: 403 });
    await expect(
      rawSdk(sb, main.sid, 'nope').api.v2010.accounts.create({ friendlyName: 'x' }),
    ).rejects.toMatchObject({ status: 401, code: 20003 });
    await expect(
      mainSdk().api.v2010.accounts.create({ friendlyName: 'x'.repeat(65) }),
    ).rejects.toMatchObject({ status: 400 });
    const names = (await mainSdk().api.v2010.accounts.list()).map((a) => a.friendlyName);
    expect(names).not.toContain('nested');
    expect(names).not.toContain('x');
  });

  it('forgets API-made subaccounts on reset', async () => {
    await mainSdk().api.v2010.accounts.create({ friendlyName: 'tenant-acme' });
    sb.context.twilio.reset();
    expect(await mainSdk().api.v2010.accounts.list({ friendlyName: 'tenant-acme' })).toEqual([]);
  });

  it('served no seeded token or key secret', () => {
    expectNoSecretServed(sb, []);
  });
});

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
