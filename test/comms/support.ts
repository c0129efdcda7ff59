// What the call, SMS and email tests share: a sandbox and a server pointed at it, and a tenant
// with accounts of its own at every provider (a Twilio account with an API key and a number it
// owns, an Exotel account for one phone, SendGrid and Retell keys) stored as its credentials, its
// phones, and a token with the comms scopes.
import { expect } from 'vitest';
import { createTwilioClient } from '../../src/providers/twilio/index.js';
import type { TenantId } from '../../src/crypto/index.js';
import type { Scope } from '../../src/services/tokens/index.js';
import type { TestSandbox } from '../support/sandbox.js';
import type { HttpResult, TestServer } from '../support/server.js';
import { newTwilioAccount, useTrunkStack } from '../trunks/support.js';

export { useTrunkStack as useCommsStack };

export const COMMS_SCOPES: Scope[] = [
  'calls:create',
  'messages:send',
  'activity:read',
  'phones:write',
  'phones:read',
  'credentials:write',
  'webhooks:verify',
  'settings:manage',
];

export interface CommsTenant {
  tenantId: TenantId;
  token: string;
  twilio: { sid: string; authToken: string; keySid: string; keySecret: string; number: string };
  exotel: { host: string; sid: string; apiKey: string; apiToken: string };
  /** A phone with its own Exotel account, one without, one on Twilio. */
  phones: { exotel: string; exotelBare: string; twilio: string };
  exotelNumber: string;
  sendgridKey: string;
  retellKey: string;
}

let numberSeq = 0;
/** A valid Indian mobile number, different each call (the Exotel phones are Indian). */
export function indianMobile(): string {
  numberSeq += 1;
  return `+9198${String(Date.now() % 1_000_000).padStart(6, '0')}${String(numberSeq % 100).padStart(2, '0')}`;
}

async function ok(r: Promise<HttpResult>, status = 200): Promise<HttpResult> {
  const res = await r;
  expect(res.status, res.text).toBe(status);
  return res;
}

/** A number the Twilio account owns (bought through the SDK at the sandbox). */
async function buyNumber(sb: TestSandbox, sid: string, authToken: string): Promise<string> {
  const c = createTwilioClient(
    { accountSid: sid, authToken },
    { mode: 'sandbox', sandboxUrl: sb.url },
  );
  const [available] = await c.sdk.api.v2010
    .accounts(sid)
    .availablePhoneNumbers('US')
    .local.list({ limit: 1 });
  if (available === undefined) throw new Error('the sandbox has no US number');
  const n = await c.sdk.api.v2010
    .accounts(sid)
    .incomingPhoneNumbers.create({ phoneNumber: available.phoneNumber });
  return n.phoneNumber;
}

/** What commsTenant needs of a server: the in-process test server, or a child process's URL. */
export type ServerApi = Pick<TestServer, 'createTenant' | 'mintToken' | 'request'>;

/** The same calls as TestServer's, on a server in another process. */
export function serverAt(url: string, rootToken: string): ServerApi {
  const request: TestServer['request'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    if (o.token !== undefined) headers['authorization'] = `Bearer ${o.token}`;
    const body = o.rawBody ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(`${url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json, headers: res.headers };
  };
  return {
    request,
    async createTenant(name = 'tenant') {
      const r = await request('POST', '/v1/tenants', { token: rootToken, body: { name } });
      return (r.json as { id: TenantId }).id;
    },
    async mintToken(tenantId, scopes) {
      const r = await request('POST', `/v1/tenants/${tenantId}/tokens`, {
        token: rootToken,
        body: { name: 'test', scopes },
      });
      return (r.json as { token: string }).token;
    },
  };
}

export async function commsTenant(
  s: ServerApi,
  sb: TestSandbox,
  name = 'comms',
): Promise<CommsTenant> {
  const tenantId = await s.createTenant(name);
  const token = await s.mintToken(tenantId, COMMS_SCOPES);
  const account = await newTwilioAccount(sb);
  const key = (await sb.admin('POST', 'twilio/keys', { accountSid: account.sid })).body as {
    sid: string;
    secret: string;
  };
  const number = await buyNumber(sb, account.sid, account.authToken);
  const exotel = (await sb.admin('POST', 'exotel/accounts', { host: 'api.in.exotel.com' }))
    .body as CommsTenant['exotel'];
  const sendgridKey = sb.seed.sendgrid?.apiKeys[0] ?? '';
  const retellKey = sb.seed.retell?.apiKeys[0] ?? '';
  const put = (provider: string, body: unknown) =>
    ok(s.request('PUT', `/v1/tenants/${tenantId}/credentials/${provider}`, { token, body }));
  await put('twilio', {
    accountSid: account.sid,
    authToken: account.authToken,
    apiKeySid: key.sid,
    apiKeySecret: key.secret,
    defaultFrom: number,
  });
  await put('sendgrid', { apiKey: sendgridKey, fromEmail: 'noreply@example.com' });
  await put('retell', { apiKey: retellKey });
  const phone = async (body: unknown) =>
    (
      (await ok(s.request('POST', `/v1/tenants/${tenantId}/phones`, { token, body }), 201))
        .json as { id: string }
    ).id;
  const exotelNumber = indianMobile();
  const exotelPhone = await phone({
    number: exotelNumber,
    provider: 'exotel',
    exotel: {
      apiKey: exotel.apiKey,
      apiToken: exotel.apiToken,
      sid: exotel.sid,
      subdomain: 'api.in.exotel.com',
      flowUrl: `http://my.exotel.com/${exotel.sid}/exoml/start_voice/1`,
    },
  });
  const bare = await phone({ number: indianMobile(), provider: 'exotel' });
  const twilioPhone = await phone({ number, provider: 'twilio' });
  return {
    tenantId,
    token,
    twilio: { ...account, keySid: key.sid, keySecret: key.secret, number },
    exotel,
    phones: { exotel: exotelPhone, exotelBare: bare, twilio: twilioPhone },
    exotelNumber,
    sendgridKey,
    retellKey,
  };
}

/** Requests the sandbox saw, per "METHOD /route", since it started or was reset. */
export async function counters(sb: TestSandbox): Promise<Record<string, number>> {
  return (await sb.admin('GET', 'counters')).body as Record<string, number>;
}

/** How many requests matched `pattern` ("POST /twilio-api/…/Calls.json" keys). */
export async function sent(sb: TestSandbox, pattern: RegExp): Promise<number> {
  let n = 0;
  for (const [key, count] of Object.entries(await counters(sb))) if (pattern.test(key)) n += count;
  return n;
}
