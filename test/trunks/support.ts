// What the trunk tests share: a tenant with Twilio credentials of its own sandbox account, the
// sandbox's view of the Twilio side (resources per account, write counters), and the SIP password
// telvault holds, opened from the database the way the service does.
import { afterAll, beforeAll, expect } from 'vitest';
import type { TelvaultConfig } from '../../src/config.js';
import { asTenantId, Secret, type TenantId } from '../../src/crypto/index.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { startTestServer, type HttpResult, type TestServer } from '../support/server.js';

export interface TwilioAccountFixture {
  sid: string;
  authToken: string;
}

/** A fresh Twilio account at the sandbox (each tenant its own: resources never mix). */
export async function newTwilioAccount(sb: TestSandbox): Promise<TwilioAccountFixture> {
  const r = await sb.admin('POST', 'twilio/accounts', {});
  expect(r.status).toBe(201);
  const body = r.body as { sid: string; authToken: string };
  return { sid: body.sid, authToken: body.authToken };
}

/** A tenant with its own Twilio account stored as its credentials, and a trunks:manage token. */
export async function trunkTenant(
  s: TestServer,
  sb: TestSandbox,
  name = 'trunks',
): Promise<{ tenantId: TenantId; token: string; account: TwilioAccountFixture }> {
  const tenantId = await s.createTenant(name);
  const account = await newTwilioAccount(sb);
  const token = await s.mintToken(tenantId, ['trunks:manage', 'credentials:write', 'phones:write']);
  const put = await s.request('PUT', `/v1/tenants/${tenantId}/credentials/twilio`, {
    token,
    body: { accountSid: account.sid, authToken: account.authToken },
  });
  expect(put.status, put.text).toBe(200);
  return { tenantId, token, account };
}

interface DumpCredential {
  sid: string;
  username: string;
}
export interface TwilioDump {
  credentialLists: {
    sid: string;
    accountSid: string;
    friendlyName: string;
    credentials: DumpCredential[];
  }[];
  trunks: {
    sid: string;
    accountSid: string;
    domainName: string | null;
    credentialLists: string[];
    originationUrls: string[];
  }[];
  numbers: { sid: string; accountSid: string; phoneNumber: string; trunkSid: string | null }[];
}

/** The sandbox's Twilio resources of one account. */
export async function twilioOf(sb: TestSandbox, accountSid: string): Promise<TwilioDump> {
  const r = await sb.admin('GET', 'state');
  const all = (r.body as { twilio: TwilioDump }).twilio;
  return {
    credentialLists: all.credentialLists.filter((l) => l.accountSid === accountSid),
    trunks: all.trunks.filter((t) => t.accountSid === accountSid),
    numbers: all.numbers.filter((n) => n.accountSid === accountSid),
  };
}

/** Calls to the sandbox's Twilio routes by kind since the last reset: reads and writes. */
export async function twilioCalls(sb: TestSandbox): Promise<{ reads: number; writes: number }> {
  const r = await sb.admin('GET', 'counters');
  let reads = 0;
  let writes = 0;
  for (const [key, n] of Object.entries(r.body as Record<string, number>)) {
    const [method, route] = key.split(' ');
    if (route === undefined || !route.startsWith('/twilio')) continue;
    if (method === 'GET') reads += n;
    else writes += n;
  }
  return { reads, writes };
}

/** The SIP password telvault holds for the tenant's trunk, opened with the server's key service. */
export async function heldPassword(s: TestServer, tenantId: string): Promise<Secret<string>> {
  const row = await s.server.database.db
    .selectFrom('sip_trunks')
    .select(['id', 'password_env'])
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  if (row.password_env === null) throw new Error('no sealed password');
  return s.server.services.keys.openField(
    asTenantId(tenantId),
    { entity: 'sip-trunk', field: 'password', recordId: row.id },
    row.password_env,
  );
}

/** Would a SIP client authenticate to the trunk with this username and password? */
export async function sipVerifies(
  sb: TestSandbox,
  domainName: string,
  username: string,
  password: string,
): Promise<boolean> {
  const r = await sb.admin('POST', 'verify-sip', { domainName, username, password });
  expect(r.status).toBe(200);
  return (r.body as { ok: boolean }).ok;
}

export interface TrunkViewJson {
  state: string;
  trunkSid: string | null;
  domainName: string | null;
  terminationUri: string | null;
  credentialList: { sid: string; origin: string } | null;
  credential: { sid: string; origin: string; username: string; password: unknown } | null;
  originationUrls: { sid: string; sipUrl: string; origin: string }[];
  steps: { name: string; status: string; at: string | null; origin?: string }[];
  failedStep: string | null;
  error: { code: string; providerCode: string | number | null } | null;
  numbers: number;
  notes: string[];
  drift?: { resource: string; problem: string }[];
}

export const viewOf = (r: HttpResult): TrunkViewJson => r.json as TrunkViewJson;

export { Secret };

/** A trunk made elsewhere (directly at the sandbox with the official SDK): the adoption case. */
export async function foreignTrunk(
  sb: TestSandbox,
  account: TwilioAccountFixture,
  opts: { origination?: string; credentials?: number } = {},
): Promise<{
  trunkSid: string;
  listSid: string;
  credentials: { sid: string; username: string; password: string }[];
  domainName: string;
}> {
  const { createTwilioClient } = await import('../../src/providers/twilio/index.js');
  const c = createTwilioClient(
    { accountSid: account.sid, authToken: account.authToken },
    { mode: 'sandbox', sandboxUrl: sb.url },
  );
  const domainName = `platform-${Math.random().toString(36).slice(2, 10)}.pstn.twilio.com`;
  const trunk = await c.sdk.trunking.v1.trunks.create({
    domainName,
    friendlyName: 'made elsewhere',
  });
  const list = await c.sdk.api.v2010
    .accounts(account.sid)
    .sip.credentialLists.create({ friendlyName: 'platform list' });
  const credentials = [];
  for (let i = 0; i < (opts.credentials ?? 1); i++) {
    const password = `Platform${i}Pass${Math.random().toString(36).slice(2, 8)}X1`;
    const username = `platform-user-${i}`;
    const cr = await c.sdk.api.v2010
      .accounts(account.sid)
      .sip.credentialLists(list.sid)
      .credentials.create({ username, password });
    credentials.push({ sid: cr.sid, username, password });
  }
  await c.sdk.trunking.v1
    .trunks(trunk.sid)
    .credentialsLists.create({ credentialListSid: list.sid });
  if (opts.origination !== undefined) {
    await c.sdk.trunking.v1.trunks(trunk.sid).originationUrls.create({
      friendlyName: 'retell',
      sipUrl: opts.origination,
      weight: 1,
      priority: 1,
      enabled: true,
    });
  }
  return { trunkSid: trunk.sid, listSid: list.sid, credentials, domainName };
}

/** The provider write of each setup step, as a sandbox selector (faults and barriers). */
export const STEP_WRITES = {
  trunk: { method: 'POST', route: '/twilio-trunking/v1/Trunks' },
  credentialList: { method: 'POST', path: '/SIP/CredentialLists\\.json$' },
  credential: { method: 'POST', path: '/Credentials\\.json$' },
  association: { method: 'POST', path: '/v1/Trunks/TK[0-9a-fA-F]+/CredentialLists$' },
  origination: { method: 'POST', path: '/v1/Trunks/TK[0-9a-fA-F]+/OriginationUrls$' },
} as const;

/**
 * The invariant after any run that answered ready: one trunk, one credential list holding one
 * credential, associated, one origination URL; and the password telvault holds is the one the
 * trunk accepts for the username it records.
 */
export async function expectConverged(
  sb: TestSandbox,
  accountSid: string,
  view: TrunkViewJson,
  password: string,
): Promise<void> {
  expect(view.state).toBe('ready');
  const tw = await twilioOf(sb, accountSid);
  expect(tw.trunks).toHaveLength(1);
  expect(tw.credentialLists).toHaveLength(1);
  expect(tw.credentialLists[0]?.credentials).toHaveLength(1);
  expect(tw.trunks[0]?.credentialLists).toEqual([tw.credentialLists[0]?.sid]);
  expect(tw.trunks[0]?.originationUrls).toHaveLength(1);
  expect(tw.trunks[0]?.sid).toBe(view.trunkSid);
  expect(view.credential?.sid).toBe(tw.credentialLists[0]?.credentials[0]?.sid);
  expect(
    await sipVerifies(sb, view.domainName ?? '', view.credential?.username ?? '', password),
  ).toBe(true);
}

/** A Retell workspace of its own for the tenant, its key stored as the tenant's credentials. */
export async function withRetell(
  s: TestServer,
  sb: TestSandbox,
  tenantId: string,
  token: string,
): Promise<string> {
  const r = await sb.admin('POST', 'retell/accounts', {});
  expect(r.status).toBe(201);
  const apiKey = (r.body as { apiKey: string }).apiKey;
  const put = await s.request('PUT', `/v1/tenants/${tenantId}/credentials/retell`, {
    token,
    body: { apiKey },
  });
  expect(put.status, put.text).toBe(200);
  return apiKey;
}

/** Retell's own answer for one number: would an outbound call from it authenticate? */
export async function outboundCheck(
  sb: TestSandbox,
  phoneNumber: string,
): Promise<{ ok: boolean; reason?: string }> {
  const r = await sb.admin('POST', 'retell/outbound-check', { phoneNumber });
  expect(r.status).toBe(200);
  return r.body as { ok: boolean; reason?: string };
}

/**
 * Numbers put on the trunk outside telvault (bought at Twilio with the trunk, imported into Retell
 * with `authUsername`, the field reports' empty one by default): the repair case.
 */
export async function numbersOnTrunk(
  sb: TestSandbox,
  account: TwilioAccountFixture,
  retellKey: string,
  trunk: { trunkSid: string; domainName: string },
  count: number,
  authUsername = '',
): Promise<string[]> {
  const { createTwilioClient } = await import('../../src/providers/twilio/index.js');
  const { createRetellClient } = await import('../../src/providers/retell/index.js');
  const c = createTwilioClient(
    { accountSid: account.sid, authToken: account.authToken },
    { mode: 'sandbox', sandboxUrl: sb.url },
  );
  const retell = createRetellClient(new Secret(retellKey), { mode: 'sandbox', sandboxUrl: sb.url });
  const available = await c.sdk.api.v2010
    .accounts(account.sid)
    .availablePhoneNumbers('US')
    .local.list({ limit: count });
  const out: string[] = [];
  for (const a of available.slice(0, count)) {
    await c.sdk.api.v2010
      .accounts(account.sid)
      .incomingPhoneNumbers.create({ phoneNumber: a.phoneNumber, trunkSid: trunk.trunkSid });
    await retell.importNumber({
      phoneNumber: a.phoneNumber,
      terminationUri: trunk.domainName,
      sipAuth: { username: authUsername, password: new Secret('Whatever12345') },
    });
    out.push(a.phoneNumber);
  }
  return out;
}

/**
 * Call at the top of a describe: a sandbox and a server on `dialect` pointed at it, started
 * before its tests and closed after.
 */
export function useTrunkStack(
  dialect: 'sqlite' | 'postgres',
  config: Partial<TelvaultConfig> = {},
): { readonly sb: TestSandbox; readonly s: TestServer } {
  let sb: TestSandbox | undefined;
  let s: TestServer | undefined;
  beforeAll(async () => {
    sb = await startTestSandbox();
    s = await startTestServer(dialect, {
      config: { providers: 'sandbox', sandboxUrl: sb.url, ...config },
    });
  });
  afterAll(async () => {
    await s?.close();
    await sb?.close();
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the trunk stack starts in beforeAll');
    return v;
  };
  return {
    get sb() {
      return started(sb);
    },
    get s() {
      return started(s);
    },
  };
}
