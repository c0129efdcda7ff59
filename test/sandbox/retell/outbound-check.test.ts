// POST /__sandbox/retell/outbound-check: would Retell's outbound call from an imported number get
// through its Twilio trunk? The whole chain is built through the sandbox's own provider routes with
// the official twilio SDK (in a subaccount made through the API) and retell-sdk, then broken one
// link at a time.
import Retell from 'retell-sdk';
import type twilio from 'twilio';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestSandbox, twilioAccounts, type TestSandbox } from '../../support/sandbox.js';
import { rawSdk } from '../twilio/twilio-test-kit.js';

const DOMAIN = 'acme-outbound.pstn.twilio.com';
const USERNAME = 'retell-acme';
const PASSWORD = 'Outb0undSipPassword';
const OTHER_PASSWORD = 'An0therSipPassword';

interface Chain {
  twilio: twilio.Twilio;
  retell: Retell;
  trunkSid: string;
  credentialListSid: string;
  credentialSid: string;
  numberSid: string;
  phoneNumber: string;
}

describe('Retell outbound check', () => {
  let sb: TestSandbox;
  beforeAll(async () => {
    sb = await startTestSandbox();
  });
  beforeEach(async () => {
    expect((await sb.admin('POST', 'reset')).status).toBe(200);
  });
  afterAll(() => sb.close());

  const retellFor = (apiKey: string) =>
    new Retell({ apiKey, baseURL: `${sb.url}/retell`, maxRetries: 0, logLevel: 'off' });
  const seededRetell = () => retellFor(sb.seed.retell?.apiKeys[0] ?? '');
  const check = async (phoneNumber: string) =>
    (await sb.admin('POST', 'retell/outbound-check', { phoneNumber })).body;

  /** Subaccount, trunk, credential list + credential, association, number on the trunk, import. */
  async function buildChain(retell = seededRetell(), terminationUri = DOMAIN): Promise<Chain> {
    const { main } = twilioAccounts(sb.seed);
    const sub = await rawSdk(sb, main.sid, main.authToken).api.v2010.accounts.create({
      friendlyName: 'tenant-acme',
    });
    const tw = rawSdk(sb, sub.sid, sub.authToken);
    const trunk = await tw.trunking.v1.trunks.create({ friendlyName: 'acme', domainName: DOMAIN });
    const cl = await tw.sip.credentialLists.create({ friendlyName: 'retell' });
    const cr = await tw.sip
      .credentialLists(cl.sid)
      .credentials.create({ username: USERNAME, password: PASSWORD });
    await tw.trunking.v1.trunks(trunk.sid).credentialsLists.create({ credentialListSid: cl.sid });
    const [free] = await tw.availablePhoneNumbers('US').local.list({ areaCode: 415, limit: 1 });
    const pn = await tw.incomingPhoneNumbers.create({
      phoneNumber: free?.phoneNumber ?? '',
      trunkSid: trunk.sid,
    });
    await retell.phoneNumber.import({
      phone_number: pn.phoneNumber,
      termination_uri: terminationUri,
      sip_trunk_auth_username: USERNAME,
      sip_trunk_auth_password: PASSWORD,
    });
    return {
      twilio: tw,
      retell,
      trunkSid: trunk.sid,
      credentialListSid: cl.sid,
      credentialSid: cr.sid,
      numberSid: pn.sid,
      phoneNumber: pn.phoneNumber,
    };
  }

  it('passes for the whole chain, and never serves the password Retell holds', async () => {
    const chain = await buildChain();
    expect(await check(chain.phoneNumber)).toEqual({ ok: true });

    const got = await chain.retell.phoneNumber.retrieve(chain.phoneNumber);
    expect(got.sip_outbound_trunk_config).toEqual({
      termination_uri: DOMAIN,
      auth_username: USERNAME,
      transport: 'TCP',
    });
    const served = sb.context.exchanges.entries.map((e) => e.responseBody ?? '').join('\n');
    expect(served).not.toContain(PASSWORD);
    const state = JSON.stringify((await sb.admin('GET', 'state')).body);
    expect(state).toContain(chain.phoneNumber);
    expect(state).toContain('"sipPasswordDigest":"sha256:');
    expect(state).not.toContain(PASSWORD);
    // The sandbox's copy prints as [REDACTED] wherever it is logged or serialized.
    const sip = sb.context.retell.findNumber(chain.phoneNumber)?.sip;
    expect(JSON.stringify(sip)).not.toContain(PASSWORD);
    expect(String(sip?.password)).toBe('[REDACTED]');
  });

  it('finds the number in any workspace and reads a sip: URI with port and parameters', async () => {
    const created = (await sb.admin('POST', 'retell/accounts', {})).body as { apiKey: string };
    const chain = await buildChain(
      retellFor(created.apiKey),
      `sip:${DOMAIN.toUpperCase()}:5060;transport=tcp`,
    );
    expect(await check(chain.phoneNumber)).toEqual({ ok: true });
  });

  it('names an auth username cleared by an update', async () => {
    const chain = await buildChain();
    await chain.retell.phoneNumber.update(chain.phoneNumber, { auth_username: '' });
    expect(await check(chain.phoneNumber)).toEqual({ ok: false, reason: 'no auth username' });
  });

  it('rejects a wrong password or username, and accepts the repair after a rotation', async () => {
    const chain = await buildChain();
    await chain.retell.phoneNumber.update(chain.phoneNumber, { auth_password: OTHER_PASSWORD });
    expect(await check(chain.phoneNumber)).toEqual({ ok: false, reason: 'auth rejected' });

    // Rotate the Twilio credential to the password Retell now holds: the pair matches again.
    await chain.twilio.sip
      .credentialLists(chain.credentialListSid)
      .credentials(chain.credentialSid)
      .update({ password: OTHER_PASSWORD });
    expect(await check(chain.phoneNumber)).toEqual({ ok: true });

    await chain.retell.phoneNumber.update(chain.phoneNumber, { auth_username: 'someone-else' });
    expect(await check(chain.phoneNumber)).toEqual({ ok: false, reason: 'auth rejected' });
    await chain.retell.phoneNumber.update(chain.phoneNumber, {
      auth_username: USERNAME,
      auth_password: '',
    });
    expect(await check(chain.phoneNumber)).toEqual({ ok: false, reason: 'no auth password' });
  });

  it('names a number detached from the trunk, or released', async () => {
    const chain = await buildChain();
    await chain.twilio.incomingPhoneNumbers(chain.numberSid).update({ trunkSid: '' });
    expect(await check(chain.phoneNumber)).toEqual({ ok: false, reason: 'number not on trunk' });
    await chain.twilio.incomingPhoneNumbers(chain.numberSid).remove();
    expect(await check(chain.phoneNumber)).toEqual({ ok: false, reason: 'number not on twilio' });
  });

  it('names a trunk without an associated credential list', async () => {
    const chain = await buildChain();
    await chain.twilio.trunking.v1
      .trunks(chain.trunkSid)
      .credentialsLists(chain.credentialListSid)
      .remove();
    expect(await check(chain.phoneNumber)).toEqual({
      ok: false,
      reason: 'no credential list on trunk',
    });
  });

  it('names an unknown termination domain, an empty one, and a number never imported', async () => {
    const chain = await buildChain();
    await chain.retell.phoneNumber.update(chain.phoneNumber, {
      termination_uri: 'elsewhere.pstn.twilio.com',
    });
    expect(await check(chain.phoneNumber)).toEqual({
      ok: false,
      reason: 'no trunk with domain elsewhere.pstn.twilio.com',
    });
    await chain.retell.phoneNumber.update(chain.phoneNumber, { termination_uri: '' });
    expect(await check(chain.phoneNumber)).toEqual({ ok: false, reason: 'no termination uri' });
    expect(await check('+14155550999')).toEqual({ ok: false, reason: 'number not imported' });
  });

  it('answers 400 without a phoneNumber', async () => {
    const answer = await sb.admin('POST', 'retell/outbound-check', {});
    expect(answer).toEqual({
      status: 400,
      body: { error: '"phoneNumber" must be a non-empty string' },
    });
  });
});
