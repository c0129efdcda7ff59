// v2010 SIP credential lists and credentials through the official SDK: paging, password rules,
// unique usernames, caps, digest-only storage, and rotation checked through the admin surface.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashSecret } from '../../../src/sandbox/core/secret-hash.js';
import { startTestSandbox, type TestSandbox } from '../../support/sandbox.js';
import { expectProviderError, mainClient, expectNoSecretServed } from './twilio-test-kit.js';

const GOOD = 'IWasAtSignal2018';

describe('Twilio SIP credential emulator', () => {
  let sb: TestSandbox;
  beforeAll(async () => {
    sb = await startTestSandbox();
  });
  beforeEach(() => sb.context.twilio.reset());
  afterAll(() => sb.close());

  it('creates, pages, fetches, renames and deletes credential lists (RFC 2822 dates)', async () => {
    const { sdk } = mainClient(sb);
    const created = [];
    for (let i = 0; i < 5; i += 1)
      created.push(await sdk.sip.credentialLists.create({ friendlyName: `list-${i}` }));
    const first = created[0];
    if (first === undefined) throw new Error('no list');
    expect(first.sid).toMatch(/^CL[0-9a-f]{32}$/);
    expect(first.dateCreated.getTime()).not.toBeNaN();
    expect(first.subresourceUris.credentials).toBe(
      `/2010-04-01/Accounts/${sdk.accountSid}/SIP/CredentialLists/${first.sid}/Credentials.json`,
    );

    const page = await sdk.sip.credentialLists.page({ pageSize: 2 });
    expect(page.instances).toHaveLength(2);
    expect(page.nextPageUrl).toMatch(
      /^https:\/\/api\.twilio\.com\/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/SIP\/CredentialLists\.json\?PageSize=2&Page=1/,
    );
    const all = await sdk.sip.credentialLists.list({ pageSize: 2 });
    expect(all.map((l) => l.friendlyName)).toEqual([
      'list-0',
      'list-1',
      'list-2',
      'list-3',
      'list-4',
    ]);

    expect(
      (await sdk.sip.credentialLists(first.sid).update({ friendlyName: 'renamed' })).friendlyName,
    ).toBe('renamed');
    expect((await sdk.sip.credentialLists(first.sid).fetch()).friendlyName).toBe('renamed');
    await sdk.sip.credentialLists(first.sid).remove();
    await expectProviderError(
      mainClient(sb).run('credentialLists.fetch', (s) => s.sip.credentialLists(first.sid).fetch()),
      { code: 'ERR_PROVIDER_NOT_FOUND', status: 404, providerCode: 20404 },
    );
  });

  it('requires a FriendlyName of at most 64 characters and caps lists at 100 per account', async () => {
    const client = mainClient(sb);
    await expectProviderError(
      client.run('credentialLists.create', (s) =>
        s.sip.credentialLists.create({ friendlyName: 'x'.repeat(65) }),
      ),
      { code: 'ERR_PROVIDER_REJECTED', status: 400, providerCode: 20001 },
    );
    const raw = await fetch(
      `${sb.url}/twilio-api/2010-04-01/Accounts/${client.accountSid}/SIP/CredentialLists.json`,
      {
        method: 'POST',
        headers: {
          authorization: basicAuth(sb),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: '',
      },
    );
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({
      code: 20001,
      message: 'Required parameter FriendlyName missing.',
    });

    // 99 lists put straight into the store (fast), the 100th through the SDK: names may repeat.
    for (let i = 0; i < 99; i += 1) {
      const sid = `CL${i.toString(16).padStart(32, '0')}`;
      const now = new Date();
      sb.context.twilio.state.credentialLists.set(sid, {
        sid,
        accountSid: client.accountSid,
        friendlyName: 'same name',
        dateCreated: now,
        dateUpdated: now,
        credentials: new Map(),
      });
    }
    await client.sdk.sip.credentialLists.create({ friendlyName: 'same name' });
    await expectProviderError(
      client.run('credentialLists.create', (s) =>
        s.sip.credentialLists.create({ friendlyName: 'one more' }),
      ),
      { code: 'ERR_PROVIDER_REJECTED', status: 400, providerCode: 21251 },
    );
  });

  it('creates credentials without ever returning the password, and pages them', async () => {
    const { sdk } = mainClient(sb);
    const cl = await sdk.sip.credentialLists.create({ friendlyName: 'c' });
    const creds = sdk.sip.credentialLists(cl.sid).credentials;
    const cr = await creds.create({ username: 'alice', password: GOOD });
    expect(Object.keys(cr.toJSON()).sort()).toEqual(
      [
        'accountSid',
        'credentialListSid',
        'dateCreated',
        'dateUpdated',
        'sid',
        'uri',
        'username',
      ].sort(),
    );
    expect(cr.sid).toMatch(/^CR[0-9a-f]{32}$/);
    for (let i = 0; i < 4; i += 1) await creds.create({ username: `user-${i}`, password: GOOD });
    const all = await creds.list({ pageSize: 2 });
    expect(all.map((c) => c.username)).toEqual(['alice', 'user-0', 'user-1', 'user-2', 'user-3']);
    expect((await creds(cr.sid).fetch()).username).toBe('alice');
    const dump = JSON.stringify((await sb.admin('GET', 'state')).body);
    expect(dump).not.toContain(GOOD);
    expect(dump).toContain('hmac-sha256:');
  });

  it('enforces the password rule with the configured code', async () => {
    const client = mainClient(sb);
    const cl = await client.sdk.sip.credentialLists.create({ friendlyName: 'p' });
    for (const weak of ['Short1Pass', 'nodigitsHereAtAll', 'alllowercase123', 'ALLUPPERCASE123']) {
      await expectProviderError(
        client.run('credentials.create', (s) =>
          s.sip.credentialLists(cl.sid).credentials.create({ username: 'bob', password: weak }),
        ),
        { code: 'ERR_PROVIDER_REJECTED', status: 400, providerCode: 20001 },
      );
    }
    await sb.admin('POST', 'twilio/config', { weakPassword: { status: 400, code: 21650 } });
    await expectProviderError(
      client.run('credentials.create', (s) =>
        s.sip.credentialLists(cl.sid).credentials.create({ username: 'bob', password: 'weak' }),
      ),
      { providerCode: 21650 },
    );
  });

  it('keeps usernames unique per list and at most 32 characters', async () => {
    const client = mainClient(sb);
    const a = await client.sdk.sip.credentialLists.create({ friendlyName: 'a' });
    const b = await client.sdk.sip.credentialLists.create({ friendlyName: 'b' });
    await client.sdk.sip
      .credentialLists(a.sid)
      .credentials.create({ username: 'carol', password: GOOD });
    await expectProviderError(
      client.run('credentials.create', (s) =>
        s.sip.credentialLists(a.sid).credentials.create({ username: 'carol', password: GOOD }),
      ),
      { code: 'ERR_PROVIDER_REJECTED', status: 400, providerCode: 21450 },
    );
    // Another list may hold the same username.
    await client.sdk.sip
      .credentialLists(b.sid)
      .credentials.create({ username: 'carol', password: GOOD });
    await expectProviderError(
      client.run('credentials.create', (s) =>
        s.sip
          .credentialLists(a.sid)
          .credentials.create({ username: 'u'.repeat(33), password: GOOD }),
      ),
      { code: 'ERR_PROVIDER_REJECTED', status: 400, providerCode: 20001 },
    );
  });

  it('caps a list at 1000 credentials', async () => {
    const client = mainClient(sb);
    const cl = await client.sdk.sip.credentialLists.create({ friendlyName: 'full' });
    const list = sb.context.twilio.state.credentialLists.get(cl.sid);
    if (list === undefined) throw new Error('list missing');
    const password = hashSecret(GOOD);
    for (let i = 0; i < 999; i += 1) {
      const sid = `CR${i.toString(16).padStart(32, '0')}`;
      const now = new Date();
      list.credentials.set(sid, {
        sid,
        accountSid: cl.accountSid,
        credentialListSid: cl.sid,
        username: `u${i}`,
        password,
        dateCreated: now,
        dateUpdated: now,
      });
    }
    await client.sdk.sip
      .credentialLists(cl.sid)
      .credentials.create({ username: 'last', password: GOOD });
    await expectProviderError(
      client.run('credentials.create', (s) =>
        s.sip.credentialLists(cl.sid).credentials.create({ username: 'over', password: GOOD }),
      ),
      { code: 'ERR_PROVIDER_REJECTED', status: 400, providerCode: 21252 },
    );
  });

  it('verifies a SIP password through the admin surface; rotation retires the old one', async () => {
    const { sdk } = mainClient(sb);
    const trunk = await sdk.trunking.v1.trunks.create({ domainName: 'verify-me.pstn.twilio.com' });
    const cl = await sdk.sip.credentialLists.create({ friendlyName: 'retell' });
    await sdk.trunking.v1.trunks(trunk.sid).credentialsLists.create({ credentialListSid: cl.sid });
    const cr = await sdk.sip
      .credentialLists(cl.sid)
      .credentials.create({ username: 'retell-1', password: GOOD });
    const verify = async (
      password: string,
      username = 'retell-1',
      domainName = 'verify-me.pstn.twilio.com',
    ) => (await sb.admin('POST', 'verify-sip', { domainName, username, password })).body;

    expect(await verify(GOOD)).toEqual({ ok: true });
    expect(await verify('Wrong1Password')).toEqual({ ok: false });
    expect(await verify(GOOD, 'someone-else')).toEqual({ ok: false });
    expect(await verify(GOOD, 'retell-1', 'other.pstn.twilio.com')).toEqual({ ok: false });

    const rotated = await sdk.sip
      .credentialLists(cl.sid)
      .credentials(cr.sid)
      .update({ password: 'Rotated2Password' });
    expect(rotated.sid).toBe(cr.sid);
    expect(await verify(GOOD)).toEqual({ ok: false });
    expect(await verify('Rotated2Password')).toEqual({ ok: true });

    // Dissociated from the trunk, the credential no longer authenticates calls to it.
    await sdk.trunking.v1.trunks(trunk.sid).credentialsLists(cl.sid).remove();
    expect(await verify('Rotated2Password')).toEqual({ ok: false });
    expect((await sb.admin('POST', 'verify-sip', { domainName: 'x' })).status).toBe(400);
  });

  it('deletes a credential, after which it no longer verifies', async () => {
    const { sdk } = mainClient(sb);
    const trunk = await sdk.trunking.v1.trunks.create({ domainName: 'gone.pstn.twilio.com' });
    const cl = await sdk.sip.credentialLists.create({ friendlyName: 'x' });
    await sdk.trunking.v1.trunks(trunk.sid).credentialsLists.create({ credentialListSid: cl.sid });
    const cr = await sdk.sip
      .credentialLists(cl.sid)
      .credentials.create({ username: 'dave', password: GOOD });
    await sdk.sip.credentialLists(cl.sid).credentials(cr.sid).remove();
    const answer = await sb.admin('POST', 'verify-sip', {
      domainName: 'gone.pstn.twilio.com',
      username: 'dave',
      password: GOOD,
    });
    expect(answer.body).toEqual({ ok: false });
    expect(await sdk.sip.credentialLists(cl.sid).credentials.list()).toEqual([]);
  });

  it('served no token, key secret or SIP password in any response', () => {
    expectNoSecretServed(sb, [GOOD, 'Rotated2Password', 'Wrong1Password']);
  });
});

function basicAuth(sb: TestSandbox): string {
  const main = sb.seed.twilio?.accounts[0];
  return `Basic ${Buffer.from(`${main?.sid}:${main?.authToken}`).toString('base64')}`;
}
