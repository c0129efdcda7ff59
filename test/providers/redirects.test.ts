// No provider client follows a redirect. The sandbox answers 301/302/307/308 pointing at a second
// local server that records every request it gets; each client (Twilio's RequestClient, the Retell
// SDK, the SendGrid client, Exotel's fetch) must fail with ERR_PROVIDER_REDIRECTED, not retryable,
// and the second server must never be reached: not by a read, and not by a write whose body
// (a SIP password, a mail) a 307/308 would carry along.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/crypto/secret.js';
import { createExotelClient } from '../../src/providers/exotel/index.js';
import { createRetellClient } from '../../src/providers/retell/index.js';
import { createSendgridClient } from '../../src/providers/sendgrid/index.js';
import { createTwilioClient, verifyTwilioCredentials } from '../../src/providers/twilio/index.js';
import { generateSandboxSeed } from '../../src/sandbox/seed.js';
import { twilioAccounts } from '../support/sandbox.js';
import { useProviderSandbox } from './support.js';

const seed = generateSandboxSeed();
const kit = useProviderSandbox(seed);
const logs: unknown[] = [];

/** The host a redirect points at. It answers what each client would accept as success. */
interface Elsewhere {
  url: string;
  reached: { method: string; url: string; authorization: boolean; body: string }[];
  close(): Promise<void>;
}

function answerFor(path: string): string {
  if (path.startsWith('/retell/')) return '[]';
  if (path.startsWith('/sendgrid/')) return JSON.stringify({ scopes: ['mail.send'] });
  return '{}';
}

async function startElsewhere(): Promise<Elsewhere> {
  const reached: Elsewhere['reached'] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      reached.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization !== undefined,
        body,
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(answerFor(req.url ?? ''));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    reached,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let elsewhere: Elsewhere;
beforeAll(async () => {
  elsewhere = await startElsewhere();
});
afterAll(async () => {
  await elsewhere.close();
});
beforeEach(() => {
  elsewhere.reached.length = 0;
});

const options = () => ({
  mode: 'sandbox' as const,
  sandboxUrl: kit.url,
  timeoutMs: 2_000,
  log: (e: unknown) => void logs.push(e),
});

function firstOf<T>(list: T[] | undefined, what: string): T {
  const item = list?.[0];
  if (item === undefined) throw new Error(`the seed has no ${what}`);
  return item;
}

const retellKey = firstOf(seed.retell?.apiKeys, 'Retell key');
const sendgridKey = firstOf(seed.sendgrid?.apiKeys, 'SendGrid key');
const exotel = firstOf(seed.exotel?.accounts, 'Exotel account');
const exotelClient = () =>
  createExotelClient(
    {
      accountSid: exotel.sid,
      apiKey: exotel.apiKey,
      apiToken: new Secret(exotel.apiToken),
      host: exotel.host,
    },
    options(),
  );
const SIP_PASSWORD = 'RedirectedSipPassw0rd-91';

/** Each client's calls, a read and a write, with the path prefix its requests use. */
const CALLS: { name: string; prefix: string; run: () => Promise<unknown> }[] = [
  {
    name: 'twilio verify (accounts.fetch)',
    prefix: '/twilio-api/',
    run: () => {
      const { main } = twilioAccounts(seed);
      return verifyTwilioCredentials(
        createTwilioClient(
          { accountSid: main.sid, authToken: new Secret(main.authToken) },
          options(),
        ),
      );
    },
  },
  {
    name: 'twilio write (credential list create)',
    prefix: '/twilio-api/',
    run: () => {
      const { main } = twilioAccounts(seed);
      const client = createTwilioClient(
        { accountSid: main.sid, authToken: new Secret(main.authToken) },
        options(),
      );
      return client.run('credentialLists.create', (sdk) =>
        sdk.sip.credentialLists.create({ friendlyName: 'redirected' }),
      );
    },
  },
  {
    name: 'retell verify',
    prefix: '/retell/',
    run: () => createRetellClient(new Secret(retellKey), options()).verify(),
  },
  {
    name: 'retell import (carries a SIP password)',
    prefix: '/retell/',
    run: () =>
      createRetellClient(new Secret(retellKey), options()).importNumber({
        phoneNumber: '+14155550199',
        terminationUri: 'acme-redirect.pstn.twilio.com',
        sipAuth: { username: 'acme', password: new Secret(SIP_PASSWORD) },
      }),
  },
  {
    name: 'sendgrid verify',
    prefix: '/sendgrid/',
    run: () =>
      createSendgridClient(new Secret(sendgridKey), {
        ...options(),
        fromEmail: 'noreply@example.com',
      }).verify(),
  },
  {
    // The key read passes; the redirect comes from the sender list.
    name: 'sendgrid verify (sender list)',
    prefix: '/sendgrid/v3/verified_senders',
    run: () =>
      createSendgridClient(new Secret(sendgridKey), {
        ...options(),
        fromEmail: 'noreply@example.com',
      }).verify(),
  },
  {
    name: 'sendgrid mail.send',
    prefix: '/sendgrid/',
    run: () =>
      createSendgridClient(new Secret(sendgridKey), options()).sendEmail({
        to: 'customer@example.com',
        from: 'noreply@example.com',
        subject: 'redirected',
        text: 'hi',
      }),
  },
  {
    name: 'exotel verify',
    prefix: '/exotel/',
    run: () => exotelClient().verify(),
  },
  {
    name: 'exotel connect (a write)',
    prefix: '/exotel/',
    run: () =>
      exotelClient().connectCall({
        from: '+919800000001',
        to: '09800000002',
        callerId: '08047000000',
      }),
  },
];

const STATUSES = [301, 302, 307, 308] as const;

describe.each(STATUSES)('a %i from the provider', (status) => {
  it.each(CALLS)('$name: ERR_PROVIDER_REDIRECTED, the other host never reached', async (c) => {
    await kit.addFault({
      path: `^${c.prefix}`,
      times: 0,
      action: { kind: 'redirect', status, location: `${elsewhere.url}${c.prefix}elsewhere` },
    });
    const error = await kit.rejection(c.run());
    expect(error).toMatchObject({ code: 'ERR_PROVIDER_REDIRECTED', status, retryable: false });
    expect(elsewhere.reached).toEqual([]);
    // Asked once: a redirect is not retried either.
    const rules = kit.sandbox.context.faults.rules;
    expect(rules.map((r) => r.fired)).toEqual([1]);
  });
});

describe('redirects', () => {
  it('are reported to the log hook with their status and code', async () => {
    await kit.addFault({
      path: '^/retell/',
      action: { kind: 'redirect', status: 302, location: `${elsewhere.url}/retell/x` },
    });
    logs.length = 0;
    await kit.rejection(createRetellClient(new Secret(retellKey), options()).verify());
    expect(logs).toContainEqual(
      expect.objectContaining({
        provider: 'retell',
        operation: 'verify',
        ok: false,
        status: 302,
        code: 'ERR_PROVIDER_REDIRECTED',
      }),
    );
  });

  it('leave no secret in any error, log entry or response', () => {
    const seen = kit.seen(logs);
    const { main } = twilioAccounts(seed);
    for (const secret of [main.authToken, retellKey, sendgridKey, exotel.apiToken, SIP_PASSWORD])
      expect(seen).not.toContain(secret);
  });
});
