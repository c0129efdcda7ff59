// v2010 numbers through the official SDK: the available-numbers catalogue, purchase by number or
// area code (with Twilio's magic test numbers), list filters and paging, update and delete.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.js';
import {
  expectProviderError,
  mainClient,
  subClient,
  expectNoSecretServed,
} from './twilio-test-kit.js';

describe('Twilio numbers emulator', () => {
  let sb: TestSandbox;
  beforeAll(async () => {
    sb = await startTestSandbox();
  });
  beforeEach(() => sb.context.twilio.reset());
  afterAll(() => sb.close());

  it('lists available Local, TollFree and Mobile numbers, without the ones already owned', async () => {
    const client = mainClient(sb);
    const { sdk } = client;
    const local = await sdk.availablePhoneNumbers('US').local.list({ areaCode: 415, limit: 3 });
    expect(local.map((n) => n.phoneNumber)).toEqual([
      '+14155550100',
      '+14155550101',
      '+14155550102',
    ]);
    expect(local[0]).toMatchObject({
      friendlyName: '(415) 555-0100',
      isoCountry: 'US',
      capabilities: { voice: true, sms: true },
    });
    expect(
      (await sdk.availablePhoneNumbers('US').tollFree.list({ limit: 1 }))[0]?.phoneNumber,
    ).toMatch(/^\+1800/);
    expect(
      (await sdk.availablePhoneNumbers('GB').mobile.list({ limit: 1 }))[0]?.phoneNumber,
    ).toMatch(/^\+447700/);
    expect(
      (await sdk.availablePhoneNumbers('US').local.list({ contains: '0107', limit: 5 })).map(
        (n) => n.phoneNumber,
      ),
    ).toEqual(['+14155550107']);
    expect(await sdk.availablePhoneNumbers('US').local.list({ areaCode: 533 })).toEqual([]);

    await subClient(sb).sdk.incomingPhoneNumbers.create({ phoneNumber: '+14155550100' });
    const after = await sdk.availablePhoneNumbers('US').local.list({ areaCode: 415, limit: 1 });
    expect(after[0]?.phoneNumber).toBe('+14155550101');
    await expectProviderError(
      client.run('availablePhoneNumbers.list', (s) => s.availablePhoneNumbers('ZZ').local.list()),
      { code: 'ERR_PROVIDER_NOT_FOUND', status: 404, providerCode: 20404 },
    );
  });

  it('answers the available-numbers list with no paging meta, only uri', async () => {
    const { sdk } = mainClient(sb);
    const response = await fetch(
      `${sb.url}/twilio-api/2010-04-01/Accounts/${sdk.accountSid}/AvailablePhoneNumbers/US/Local.json?AreaCode=415&PageSize=1`,
      {
        headers: {
          authorization: `Basic ${Buffer.from(`${sdk.username}:${sdk.password}`).toString('base64')}`,
        },
      },
    );
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['available_phone_numbers', 'uri']);
    expect(body.uri).toBe(
      `/2010-04-01/Accounts/${sdk.accountSid}/AvailablePhoneNumbers/US/Local.json`,
    );
  });

  it('buys by PhoneNumber or by AreaCode, and answers the purchase errors', async () => {
    const client = mainClient(sb);
    const { sdk } = client;
    const byNumber = await sdk.incomingPhoneNumbers.create({
      phoneNumber: '+15005550006',
      friendlyName: 'acme',
    });
    expect(byNumber).toMatchObject({
      phoneNumber: '+15005550006',
      friendlyName: 'acme',
      trunkSid: null,
      status: 'in-use',
    });
    expect(byNumber.sid).toMatch(/^PN[0-9a-f]{32}$/);
    expect(byNumber.dateCreated.getTime()).not.toBeNaN();
    const byArea = await sdk.incomingPhoneNumbers.create({ areaCode: '500' });
    expect(byArea.phoneNumber).toMatch(/^\+1500555\d{4}$/);
    // Buying by area code is not idempotent: a second purchase gets another number.
    expect((await sdk.incomingPhoneNumbers.create({ areaCode: '500' })).phoneNumber).not.toBe(
      byArea.phoneNumber,
    );

    const reject = (params: { phoneNumber?: string; areaCode?: string }, providerCode: number) =>
      expectProviderError(
        client.run('incomingPhoneNumbers.create', (s) => s.incomingPhoneNumbers.create(params)),
        {
          code: 'ERR_PROVIDER_REJECTED',
          status: 400,
          providerCode,
        },
      );
    await reject({ areaCode: '533' }, 21452);
    await reject({ phoneNumber: '+15005550000' }, 21422);
    await reject({ phoneNumber: '+15005550006' }, 21422);
    await reject({ phoneNumber: '+15005550001' }, 21421);
    await reject({ phoneNumber: '4155550100' }, 21421);
    await reject({}, 20001);
    await reject({ areaCode: 'abc' }, 20001);
  });

  it('filters by PhoneNumber and FriendlyName, and pages with the filter kept', async () => {
    const { sdk } = mainClient(sb);
    for (let i = 0; i < 5; i += 1) {
      await sdk.incomingPhoneNumbers.create({
        phoneNumber: `+1415555020${i}`,
        friendlyName: i < 3 ? 'team-a' : 'team-b',
      });
    }
    expect((await sdk.incomingPhoneNumbers.list({ pageSize: 2 })).length).toBe(5);
    const byName = await sdk.incomingPhoneNumbers.list({ friendlyName: 'team-a', pageSize: 2 });
    expect(byName.map((n) => n.phoneNumber)).toEqual([
      '+14155550200',
      '+14155550201',
      '+14155550202',
    ]);
    const page = await sdk.incomingPhoneNumbers.page({ friendlyName: 'team-a', pageSize: 2 });
    expect(page.nextPageUrl).toContain('FriendlyName=team-a');
    const byNumber = await sdk.incomingPhoneNumbers.list({ phoneNumber: '+14155550203' });
    expect(byNumber.map((n) => n.friendlyName)).toEqual(['team-b']);
    expect(await sdk.incomingPhoneNumbers.list({ phoneNumber: '+19999999999' })).toEqual([]);
  });

  it('fetches, updates (TrunkSid attach and detach) and deletes a number', async () => {
    const client = mainClient(sb);
    const { sdk } = client;
    const trunk = await sdk.trunking.v1.trunks.create({ friendlyName: 't' });
    const pn = await sdk.incomingPhoneNumbers.create({ phoneNumber: '+14155550300' });
    const attached = await sdk
      .incomingPhoneNumbers(pn.sid)
      .update({ trunkSid: trunk.sid, friendlyName: 'sip' });
    expect(attached).toMatchObject({ trunkSid: trunk.sid, friendlyName: 'sip' });
    expect((await sdk.trunking.v1.trunks(trunk.sid).phoneNumbers.list()).map((n) => n.sid)).toEqual(
      [pn.sid],
    );
    expect((await sdk.incomingPhoneNumbers(pn.sid).update({ trunkSid: '' })).trunkSid).toBeNull();
    expect(await sdk.trunking.v1.trunks(trunk.sid).phoneNumbers.list()).toEqual([]);
    await expectProviderError(
      client.run('incomingPhoneNumbers.update', (s) =>
        s.incomingPhoneNumbers(pn.sid).update({ trunkSid: `TK${'0'.repeat(32)}` }),
      ),
      { code: 'ERR_PROVIDER_REJECTED', status: 400 },
    );
    expect((await sdk.incomingPhoneNumbers(pn.sid).fetch()).phoneNumber).toBe('+14155550300');
    await sdk.incomingPhoneNumbers(pn.sid).remove();
    await expectProviderError(
      client.run('incomingPhoneNumbers.fetch', (s) => s.incomingPhoneNumbers(pn.sid).fetch()),
      { code: 'ERR_PROVIDER_NOT_FOUND', status: 404, providerCode: 20404 },
    );
    // Another account's number is not found either.
    const theirs = await subClient(sb).sdk.incomingPhoneNumbers.create({
      phoneNumber: '+14155550301',
    });
    await expectProviderError(
      client.run('incomingPhoneNumbers.fetch', (s) => s.incomingPhoneNumbers(theirs.sid).fetch()),
      { code: 'ERR_PROVIDER_NOT_FOUND' },
    );
  });

  it('served no token, key secret or SIP password in any response', () => {
    expectNoSecretServed(sb, []);
  });
});
