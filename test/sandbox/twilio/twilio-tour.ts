// A tour of every operation the Twilio emulator serves, through the official SDK (success paths
// and the main error paths), for the contract-conformance and secret-invariant scans.
import { expect } from 'vitest';
import {
  createTwilioClient,
  type TwilioClient,
} from '../../../src/providers/twilio/twilio-client.js';
import type { ProviderLogEntry } from '../../../src/providers/core/provider-log.js';
import type { TestSandbox } from '../../support/sandbox.js';
import { twilioAccounts } from '../../support/sandbox.js';

export const SIP_PASSWORDS = ['IWasAtSignal2018', 'Rotated2Password'];

export interface TourResult {
  clientLog: ProviderLogEntry[];
  /** Secrets the tour handled: none may appear in a response or the client log. */
  secrets: string[];
}

async function expectFailure(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toMatchObject({ name: 'ProviderError' });
}

export async function runTwilioTour(sb: TestSandbox): Promise<TourResult> {
  const { main, sub } = twilioAccounts(sb.seed);
  const clientLog: ProviderLogEntry[] = [];
  const options = {
    mode: 'sandbox' as const,
    sandboxUrl: sb.url,
    log: (e: ProviderLogEntry) => clientLog.push(e),
  };
  const c: TwilioClient = createTwilioClient(
    { accountSid: main.sid, authToken: main.authToken },
    options,
  );
  const keyed = createTwilioClient(
    { accountSid: main.sid, apiKeySid: main.keySid, apiKeySecret: main.keySecret },
    options,
  );
  const s = c.sdk;

  // Accounts
  await c.run('accounts.fetch', () => s.api.v2010.accounts(main.sid).fetch());
  await c.run('accounts.list', () => s.api.v2010.accounts.list());
  await c.run('accounts.fetch', () => s.api.v2010.accounts(sub.sid).fetch());
  // A subaccount made through the API: its new token is in the answers by design (Twilio shows
  // it), so it is not among the secrets scanned for.
  await c.run('accounts.create', () => s.api.v2010.accounts.create({ friendlyName: 'tour-sub' }));
  await c.run('accounts.list', () =>
    s.api.v2010.accounts.list({ friendlyName: 'tour-sub', status: 'active' }),
  );

  // Trunks and origination URLs
  const trunk = await c.run('t', () =>
    s.trunking.v1.trunks.create({ friendlyName: 'tour', domainName: 'tour-a.pstn.twilio.com' }),
  );
  await c.run('t', () => s.trunking.v1.trunks.create({ friendlyName: 'tour-b' }));
  await c.run('t', () => s.trunking.v1.trunks.list({ pageSize: 1 }));
  await c.run('t', () => s.trunking.v1.trunks(trunk.sid).fetch());
  await c.run('t', () =>
    s.trunking.v1.trunks(trunk.sid).update({ friendlyName: 'tour-renamed', secure: true }),
  );
  const ou = await c.run('o', () =>
    s.trunking.v1.trunks(trunk.sid).originationUrls.create({
      weight: 1,
      priority: 1,
      enabled: true,
      friendlyName: 'retell',
      sipUrl: 'sip:sip.retellai.com',
    }),
  );
  await c.run('o', () => s.trunking.v1.trunks(trunk.sid).originationUrls.list());
  await c.run('o', () => s.trunking.v1.trunks(trunk.sid).originationUrls(ou.sid).fetch());
  await c.run('o', () =>
    s.trunking.v1.trunks(trunk.sid).originationUrls(ou.sid).update({ weight: 10 }),
  );
  await c.run('o', () => s.trunking.v1.trunks(trunk.sid).originationUrls(ou.sid).remove());

  // SIP credential lists and credentials
  const cl = await c.run('cl', () => s.sip.credentialLists.create({ friendlyName: 'tour' }));
  await c.run('cl', () => s.sip.credentialLists.list());
  await c.run('cl', () => s.sip.credentialLists(cl.sid).fetch());
  await c.run('cl', () => s.sip.credentialLists(cl.sid).update({ friendlyName: 'tour-renamed' }));
  const creds = s.sip.credentialLists(cl.sid).credentials;
  const cr = await c.run('cr', () =>
    creds.create({ username: 'tour-user', password: SIP_PASSWORDS[0] ?? '' }),
  );
  await expectFailure(c.run('cr', () => creds.create({ username: 'weak', password: 'short1A' })));
  await expectFailure(
    c.run('cr', () => creds.create({ username: 'tour-user', password: SIP_PASSWORDS[0] ?? '' })),
  );
  await c.run('cr', () => creds.list());
  await c.run('cr', () => creds(cr.sid).fetch());
  await c.run('cr', () => creds(cr.sid).update({ password: SIP_PASSWORDS[1] ?? '' }));
  const extra = await c.run('cr', () =>
    creds.create({ username: 'gone', password: SIP_PASSWORDS[1] ?? '' }),
  );
  await c.run('cr', () => creds(extra.sid).remove());

  // IP access control lists (v2010) and trunk associations
  const acl = await c.run('al', () => s.sip.ipAccessControlLists.create({ friendlyName: 'tour' }));
  await c.run('al', () => s.sip.ipAccessControlLists.list());
  await c.run('al', () => s.sip.ipAccessControlLists(acl.sid).fetch());
  await c.run('al', () => s.sip.ipAccessControlLists(acl.sid).update({ friendlyName: 'tour-2' }));
  const t = s.trunking.v1.trunks(trunk.sid);
  await c.run('a', () => t.credentialsLists.create({ credentialListSid: cl.sid }));
  await expectFailure(c.run('a', () => t.credentialsLists.create({ credentialListSid: cl.sid })));
  await c.run('a', () => t.credentialsLists.list());
  await c.run('a', () => t.credentialsLists(cl.sid).fetch());
  await c.run('a', () => t.ipAccessControlLists.create({ ipAccessControlListSid: acl.sid }));
  await c.run('a', () => t.ipAccessControlLists.list());
  await c.run('a', () => t.ipAccessControlLists(acl.sid).fetch());
  await c.run('a', () => t.ipAccessControlLists(acl.sid).remove());
  await c.run('al', () => s.sip.ipAccessControlLists(acl.sid).remove());

  // Numbers
  await c.run('avail', () => s.availablePhoneNumbers('US').local.list({ limit: 2 }));
  await c.run('avail', () => s.availablePhoneNumbers('US').tollFree.list({ limit: 2 }));
  await c.run('avail', () => s.availablePhoneNumbers('GB').mobile.list({ limit: 2 }));
  const [free] = await c.run('avail', () =>
    s.availablePhoneNumbers('US').local.list({ areaCode: 212, limit: 1 }),
  );
  const pn = await c.run('pn', () =>
    s.incomingPhoneNumbers.create({ phoneNumber: free?.phoneNumber ?? '', trunkSid: trunk.sid }),
  );
  const pn2 = await c.run('pn', () => s.incomingPhoneNumbers.create({ areaCode: '646' }));
  await c.run('pn', () => s.incomingPhoneNumbers.list({ phoneNumber: pn.phoneNumber }));
  await c.run('pn', () => s.incomingPhoneNumbers(pn2.sid).fetch());
  await c.run('pn', () => s.incomingPhoneNumbers(pn2.sid).update({ friendlyName: 'second' }));
  await c.run('tp', () => t.phoneNumbers.list());
  await c.run('tp', () => t.phoneNumbers(pn.sid).fetch());
  await c.run('tp', () => t.phoneNumbers(pn.sid).remove());
  await c.run('tp', () => t.phoneNumbers.create({ phoneNumberSid: pn.sid }));

  // Messages and calls (a SIP call with SipAuthPassword: must never come back)
  const msg = await c.run('m', () =>
    s.messages.create({ to: '+14155550199', from: pn.phoneNumber, body: 'tour' }),
  );
  await c.run('m', () => s.messages.list());
  await c.run('m', () => s.messages(msg.sid).fetch());
  // Moved by the admin surface: a fetch then shows the fields of a sent and failed message.
  await sb.admin('POST', `twilio/messages/${msg.sid}/status`, { status: 'sent' });
  await sb.admin('POST', `twilio/messages/${msg.sid}/status`, { status: 'undelivered' });
  await c.run('m', () => s.messages(msg.sid).fetch());
  const call = await c.run('c', () =>
    s.calls.create({
      to: 'sip:agent@sip.retellai.com',
      from: pn.phoneNumber,
      twiml: '<Response/>',
      sipAuthUsername: 'tour-user',
      sipAuthPassword: SIP_PASSWORDS[1] ?? '',
    }),
  );
  await c.run('c', () =>
    s.calls.create({
      to: '+14155550198',
      from: pn.phoneNumber,
      url: 'https://example.com/twiml',
      statusCallbackEvent: ['initiated', 'completed'],
    }),
  );
  await c.run('c', () => s.calls.list());
  await c.run('c', () => s.calls(call.sid).fetch());
  // Answered and ended: start_time, end_time and duration are set.
  await sb.admin('POST', `twilio/calls/${call.sid}/status`, { status: 'in-progress' });
  await sb.admin('POST', `twilio/calls/${call.sid}/status`, { status: 'completed' });
  await c.run('c', () => s.calls(call.sid).fetch());

  // API-key principal, bad credentials, unknown resources
  await keyed.run('k', () => keyed.sdk.trunking.v1.trunks.list());
  await keyed.run('k', () => keyed.sdk.sip.credentialLists.list());
  const bad = createTwilioClient({ accountSid: main.sid, authToken: '0'.repeat(32) }, options);
  await expectFailure(bad.run('x', () => bad.sdk.trunking.v1.trunks.list()));
  await expectFailure(c.run('x', () => s.trunking.v1.trunks(`TK${'0'.repeat(32)}`).fetch()));

  // Deletions last
  await c.run('a', () => t.credentialsLists(cl.sid).remove());
  await c.run('pn', () => s.incomingPhoneNumbers(pn2.sid).remove());
  await c.run('cr', () => creds(cr.sid).remove());
  await c.run('cl', () => s.sip.credentialLists(cl.sid).remove());
  await c.run('t', () => s.trunking.v1.trunks(trunk.sid).remove());

  return {
    clientLog,
    secrets: [main.authToken, main.keySecret, sub.authToken, ...SIP_PASSWORDS],
  };
}
