// Elastic SIP Trunking v1 through the official SDK: trunks, paging, the global domain rule with
// its quarantine (21248), origination URLs, and the three kinds of association.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.js';
import {
  callsTo,
  expectProviderError,
  mainClient,
  subClient,
  expectNoSecretServed,
} from './twilio-test-kit.js';

describe('Twilio trunking emulator', () => {
  let sb: TestSandbox;
  beforeAll(async () => {
    sb = await startTestSandbox();
  });
  beforeEach(() => sb.context.twilio.reset());
  afterAll(() => sb.close());

  it('creates, fetches, updates and deletes a trunk with ISO-8601 dates and canonical URLs', async () => {
    const { sdk } = mainClient(sb);
    const trunk = await sdk.trunking.v1.trunks.create({
      friendlyName: 'acme',
      domainName: 'Acme-1.pstn.twilio.com',
      secure: true,
    });
    expect(trunk.sid).toMatch(/^TK[0-9a-f]{32}$/);
    expect(trunk.domainName).toBe('acme-1.pstn.twilio.com');
    expect(trunk.secure).toBe(true);
    expect(trunk.dateCreated.getTime()).not.toBeNaN();
    expect(trunk.url).toBe(`https://trunking.twilio.com/v1/Trunks/${trunk.sid}`);
    expect(trunk.links.credential_lists).toBe(
      `https://trunking.twilio.com/v1/Trunks/${trunk.sid}/CredentialLists`,
    );
    expect(trunk.authType).toBe('');
    expect(trunk.authTypeSet).toEqual([]);

    const renamed = await sdk.trunking.v1
      .trunks(trunk.sid)
      .update({ friendlyName: 'acme-2', transferMode: 'sip-only' });
    expect(renamed.friendlyName).toBe('acme-2');
    expect(renamed.transferMode).toBe('sip-only');
    expect((await sdk.trunking.v1.trunks(trunk.sid).fetch()).friendlyName).toBe('acme-2');

    expect(await sdk.trunking.v1.trunks(trunk.sid).remove()).toBe(true);
    const client = mainClient(sb);
    await expectProviderError(
      client.run('trunks.fetch', (s) => s.trunking.v1.trunks(trunk.sid).fetch()),
      { code: 'ERR_PROVIDER_NOT_FOUND', status: 404, providerCode: 20404, retryable: false },
    );
  });

  it('pages trunks two at a time through absolute next_page_url links', async () => {
    const { sdk } = mainClient(sb);
    for (let i = 0; i < 5; i += 1) await sdk.trunking.v1.trunks.create({ friendlyName: `t${i}` });
    const before = callsTo(sb, 'GET /twilio-trunking/v1/Trunks');
    const all = await sdk.trunking.v1.trunks.list({ pageSize: 2 });
    expect(all.map((t) => t.friendlyName)).toEqual(['t0', 't1', 't2', 't3', 't4']);
    expect(callsTo(sb, 'GET /twilio-trunking/v1/Trunks') - before).toBe(3);

    const first = await sdk.trunking.v1.trunks.page({ pageSize: 2 });
    expect(first.nextPageUrl).toMatch(
      /^https:\/\/trunking\.twilio\.com\/v1\/Trunks\?PageSize=2&Page=1&PageToken=/,
    );
    const second = await first.nextPage();
    expect(second?.instances.map((t) => t.friendlyName)).toEqual(['t2', 't3']);
    const third = await second?.nextPage();
    expect(third?.instances.map((t) => t.friendlyName)).toEqual(['t4']);
    expect(third?.nextPageUrl).toBeUndefined();
  });

  it('keeps domain names globally unique and quarantines deleted ones (21248)', async () => {
    const main = mainClient(sb);
    const sub = subClient(sb);
    const trunk = await main.sdk.trunking.v1.trunks.create({
      domainName: 'tenant-7.pstn.twilio.com',
    });
    const taken = { code: 'ERR_PROVIDER_REJECTED', status: 400, providerCode: 21248 };
    await expectProviderError(
      sub.run('trunks.create', (s) =>
        s.trunking.v1.trunks.create({ domainName: 'tenant-7.pstn.twilio.com' }),
      ),
      taken,
    );
    await main.sdk.trunking.v1.trunks(trunk.sid).remove();
    await expectProviderError(
      main.run('trunks.create', (s) =>
        s.trunking.v1.trunks.create({ domainName: 'tenant-7.pstn.twilio.com' }),
      ),
      taken,
    );

    const other = await main.sdk.trunking.v1.trunks.create({
      domainName: 'tenant-8.pstn.twilio.com',
    });
    await expectProviderError(
      main.run('trunks.update', (s) =>
        s.trunking.v1.trunks(other.sid).update({ domainName: 'tenant-7.pstn.twilio.com' }),
      ),
      taken,
    );
    // The code is configurable (a peer codebase saw 21241 for the same situation).
    expect(
      (await sb.admin('POST', 'twilio/config', { domainTaken: { status: 409, code: 21241 } }))
        .status,
    ).toBe(200);
    await expectProviderError(
      main.run('trunks.create', (s) =>
        s.trunking.v1.trunks.create({ domainName: 'tenant-8.pstn.twilio.com' }),
      ),
      { code: 'ERR_PROVIDER_REJECTED', status: 409, providerCode: 21241 },
    );
  });

  it('rejects a domain name that does not end with pstn.twilio.com', async () => {
    await expectProviderError(
      mainClient(sb).run('trunks.create', (s) =>
        s.trunking.v1.trunks.create({ domainName: 'acme.example.com' }),
      ),
      { code: 'ERR_PROVIDER_REJECTED', status: 400, providerCode: 20001 },
    );
  });

  it('serves origination URLs with weight, priority, enabled, sip_url and friendly_name', async () => {
    const { sdk } = mainClient(sb);
    const trunk = await sdk.trunking.v1.trunks.create({ friendlyName: 'o' });
    const urls = sdk.trunking.v1.trunks(trunk.sid).originationUrls;
    const ou = await urls.create({
      weight: 10,
      priority: 1,
      enabled: true,
      friendlyName: 'retell',
      sipUrl: 'sip:5t4n6j0wnrl.sip.livekit.cloud',
    });
    expect(ou).toMatchObject({
      weight: 10,
      priority: 1,
      enabled: true,
      friendlyName: 'retell',
      sipUrl: 'sip:5t4n6j0wnrl.sip.livekit.cloud',
      trunkSid: trunk.sid,
    });
    expect(ou.sid).toMatch(/^OU/);
    expect((await urls(ou.sid).update({ enabled: false, priority: 5 })).enabled).toBe(false);
    expect((await urls(ou.sid).fetch()).priority).toBe(5);
    expect((await urls.list()).map((u) => u.sid)).toEqual([ou.sid]);
    await urls(ou.sid).remove();
    expect(await urls.list()).toEqual([]);
    await expectProviderError(
      mainClient(sb).run('originationUrls.create', (s) =>
        s.trunking.v1.trunks(trunk.sid).originationUrls.create({
          weight: 1,
          priority: 1,
          enabled: true,
          friendlyName: 'x',
          sipUrl: 'http://nope',
        }),
      ),
      { code: 'ERR_PROVIDER_REJECTED', status: 400 },
    );
  });

  it('associates credential lists and IP ACLs, updates auth_type, refuses duplicates with the configured code', async () => {
    const client = mainClient(sb);
    const { sdk } = client;
    const trunk = await sdk.trunking.v1.trunks.create({ friendlyName: 'a' });
    const cl = await sdk.sip.credentialLists.create({ friendlyName: 'cl' });
    const acl = await sdk.sip.ipAccessControlLists.create({ friendlyName: 'acl' });
    const t = sdk.trunking.v1.trunks(trunk.sid);

    const assoc = await t.credentialsLists.create({ credentialListSid: cl.sid });
    expect(assoc).toMatchObject({ sid: cl.sid, trunkSid: trunk.sid, friendlyName: 'cl' });
    expect((await t.fetch()).authTypeSet).toEqual(['CREDENTIAL_LIST']);
    await expectProviderError(
      client.run('credentialLists.associate', () =>
        t.credentialsLists.create({ credentialListSid: cl.sid }),
      ),
      { code: 'ERR_PROVIDER_REJECTED', status: 400, providerCode: 21246 },
    );
    await sb.admin('POST', 'twilio/config', {
      duplicateCredentialListAssociation: { status: 409, code: 21999 },
    });
    await expectProviderError(
      client.run('credentialLists.associate', () =>
        t.credentialsLists.create({ credentialListSid: cl.sid }),
      ),
      { status: 409, providerCode: 21999 },
    );

    await t.ipAccessControlLists.create({ ipAccessControlListSid: acl.sid });
    const both = await t.fetch();
    expect(both.authTypeSet).toEqual(['CREDENTIAL_LIST', 'IP_ACL']);
    expect(both.authType).toBe('CREDENTIAL_LIST,IP_ACL');
    expect((await t.credentialsLists.list()).map((a) => a.sid)).toEqual([cl.sid]);
    expect((await t.credentialsLists(cl.sid).fetch()).sid).toBe(cl.sid);
    expect((await t.ipAccessControlLists.list()).map((a) => a.sid)).toEqual([acl.sid]);
    await expectProviderError(
      client.run('ipAccessControlLists.associate', () =>
        t.ipAccessControlLists.create({ ipAccessControlListSid: acl.sid }),
      ),
      { code: 'ERR_PROVIDER_REJECTED', status: 400, providerCode: 21247 },
    );

    await t.credentialsLists(cl.sid).remove();
    await t.ipAccessControlLists(acl.sid).remove();
    expect((await t.fetch()).authTypeSet).toEqual([]);
    await expectProviderError(
      client.run('credentialLists.fetch', () => t.credentialsLists(cl.sid).fetch()),
      { code: 'ERR_PROVIDER_NOT_FOUND', providerCode: 20404 },
    );
  });

  it('shows a number bought with TrunkSid on the trunk, and keeps one trunk per number', async () => {
    const client = mainClient(sb);
    const { sdk } = client;
    const trunk = await sdk.trunking.v1.trunks.create({ friendlyName: 'n' });
    const other = await sdk.trunking.v1.trunks.create({ friendlyName: 'other' });
    const pn = await sdk.incomingPhoneNumbers.create({
      phoneNumber: '+14155550142',
      trunkSid: trunk.sid,
    });
    expect(pn.trunkSid).toBe(trunk.sid);
    const onTrunk = await sdk.trunking.v1.trunks(trunk.sid).phoneNumbers.list();
    expect(onTrunk.map((n) => [n.sid, n.phoneNumber, n.trunkSid])).toEqual([
      [pn.sid, '+14155550142', trunk.sid],
    ]);

    await expectProviderError(
      client.run('phoneNumbers.associate', (s) =>
        s.trunking.v1.trunks(trunk.sid).phoneNumbers.create({ phoneNumberSid: pn.sid }),
      ),
      { status: 400, providerCode: 21249 },
    );
    await expectProviderError(
      client.run('phoneNumbers.associate', (s) =>
        s.trunking.v1.trunks(other.sid).phoneNumbers.create({ phoneNumberSid: pn.sid }),
      ),
      { status: 400, providerCode: 21250 },
    );
    await sdk.trunking.v1.trunks(trunk.sid).phoneNumbers(pn.sid).remove();
    expect((await sdk.incomingPhoneNumbers(pn.sid).fetch()).trunkSid).toBeNull();
    const attached = await sdk.trunking.v1
      .trunks(other.sid)
      .phoneNumbers.create({ phoneNumberSid: pn.sid });
    expect(attached.trunkSid).toBe(other.sid);
    expect((await sdk.trunking.v1.trunks(other.sid).phoneNumbers(pn.sid).fetch()).phoneNumber).toBe(
      '+14155550142',
    );

    // Deleting the trunk frees the number.
    await sdk.trunking.v1.trunks(other.sid).remove();
    expect((await sdk.incomingPhoneNumbers(pn.sid).fetch()).trunkSid).toBeNull();
  });

  it('scopes trunks to the authenticated account', async () => {
    const trunk = await mainClient(sb).sdk.trunking.v1.trunks.create({ friendlyName: 'mine' });
    const sub = subClient(sb);
    expect(await sub.sdk.trunking.v1.trunks.list()).toEqual([]);
    await expectProviderError(
      sub.run('trunks.fetch', (s) => s.trunking.v1.trunks(trunk.sid).fetch()),
      {
        code: 'ERR_PROVIDER_NOT_FOUND',
      },
    );
  });

  it('served no token, key secret or SIP password in any response', () => {
    expectNoSecretServed(sb, []);
  });
});
