// What reached the sandbox, counted per provider, method and route: `GET /__sandbox/counters`
// (every request, by `METHOD /route/pattern`) and `GET /__sandbox/exchanges?provider&method&route`
// (the exchanges themselves, with their statuses), for the five routes the product places calls,
// messages and email through.
import Retell from 'retell-sdk';
import { describe, expect, it } from 'vitest';
import { generateSandboxSeed, type SandboxSeed } from '../../src/sandbox/seed.js';
import { twilioAccounts, useTestSandbox } from '../support/sandbox.js';
import { mainClient } from './twilio/twilio-test-kit.js';

const SENDGRID_KEY = 'SG.counting.key';
const seed: SandboxSeed = {
  ...generateSandboxSeed(),
  sendgrid: { apiKeys: [SENDGRID_KEY], verifiedSenders: ['noreply@example.com'] },
  retell: { apiKeys: ['key_counting'] },
  exotel: {
    accounts: [{ host: 'api.exotel.com', sid: 'count_acct', apiKey: 'ck', apiToken: 'ct' }],
  },
};
const kit = useTestSandbox(seed);
const TO = '+14155550777';

const ROUTES = {
  twilioCalls: 'POST /twilio-api/2010-04-01/Accounts/:AccountSid/Calls.json',
  twilioMessages: 'POST /twilio-api/2010-04-01/Accounts/:AccountSid/Messages.json',
  retellCalls: 'POST /retell/v2/create-phone-call',
  exotelConnect: 'POST /exotel/:host/v1/Accounts/:sid/Calls/connect.json',
  sendgridMail: 'POST /sendgrid/v3/mail/send',
};

async function placeOneOfEach(): Promise<void> {
  const { sdk } = mainClient(kit.sandbox);
  const from = (await sdk.incomingPhoneNumbers.create({ phoneNumber: '+14155550400' })).phoneNumber;
  await sdk.calls.create({ to: TO, from, twiml: '<Response/>' });
  await sdk.messages.create({ to: TO, from, body: 'x' });
  await sdk.messages.create({ to: TO, from, body: 'y' });
  const retell = new Retell({
    apiKey: 'key_counting',
    baseURL: `${kit.url}/retell`,
    maxRetries: 0,
    logLevel: 'off',
  });
  await retell.phoneNumber.import({ phone_number: from, termination_uri: 't.pstn.twilio.com' });
  await retell.call.createPhoneCall({ from_number: from, to_number: TO, override_agent_id: 'a' });
  const basic = Buffer.from('ck:ct').toString('base64');
  await fetch(`${kit.url}/exotel/api.exotel.com/v1/Accounts/count_acct/Calls/connect.json`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'From=%2B919800000002&CallerId=08047000000&Url=http%3A%2F%2Fx%2Fflow',
  });
  await fetch(`${kit.url}/sendgrid/v3/mail/send`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${SENDGRID_KEY}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      personalizations: [{ to: [{ email: 'a@example.com' }] }],
      from: { email: 'noreply@example.com' },
      subject: 's',
      content: [{ type: 'text/plain', value: 'v' }],
    }),
  });
}

describe('counting what reached the sandbox', () => {
  it('counts requests per method and route, and filters exchanges by provider too', async () => {
    await placeOneOfEach();
    const counters = (await kit.sandbox.admin('GET', 'counters')).body as Record<string, number>;
    expect({
      twilioCalls: counters[ROUTES.twilioCalls],
      twilioMessages: counters[ROUTES.twilioMessages],
      retellCalls: counters[ROUTES.retellCalls],
      exotelConnect: counters[ROUTES.exotelConnect],
      sendgridMail: counters[ROUTES.sendgridMail],
    }).toEqual({
      twilioCalls: 1,
      twilioMessages: 2,
      retellCalls: 1,
      exotelConnect: 1,
      sendgridMail: 1,
    });
    const query = (provider: string, route: string) =>
      `exchanges?provider=${provider}&method=post&route=${encodeURIComponent(route.slice(5))}`;
    const exchanges = async (provider: string, route: string) =>
      (await kit.sandbox.admin('GET', query(provider, route))).body as {
        count: number;
        exchanges: { status: number; url: string }[];
      };
    const messages = await exchanges('twilio', ROUTES.twilioMessages);
    const { main } = twilioAccounts(kit.sandbox.seed);
    expect(messages.count).toBe(2);
    expect(messages.exchanges.map((e) => [e.status, e.url])).toEqual([
      [201, `/twilio-api/2010-04-01/Accounts/${main.sid}/Messages.json`],
      [201, `/twilio-api/2010-04-01/Accounts/${main.sid}/Messages.json`],
    ]);
    expect((await exchanges('retell', ROUTES.retellCalls)).exchanges[0]?.status).toBe(201);
    expect((await exchanges('exotel', ROUTES.exotelConnect)).exchanges[0]?.url).toContain(
      '/Accounts/count_acct/',
    );
    expect((await exchanges('sendgrid', ROUTES.sendgridMail)).exchanges[0]?.status).toBe(202);
    expect((await exchanges('retell', ROUTES.twilioCalls)).count).toBe(0);
  });
});
