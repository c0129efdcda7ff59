// What the trunk benchmark counts and compares with: the sandbox's Twilio calls by step (by the
// route of the step's resource), and the baseline, the calls a correct client must make at the
// least, made directly with the twilio SDK against the same sandbox. Fresh: list the trunks, create
// the trunk, list the credential lists, create the list, its credential, the association and the
// origination URL. Re-run on a ready trunk: fetch the trunk, list its credential lists, the list's
// credentials and its origination URLs (each step's recorded sid still there and whole).
import { randomBytes } from 'node:crypto';
import { createTwilioClient } from '../src/providers/twilio/index.js';
import { TRUNK_STEPS, type TrunkStep } from '../src/services/trunks/trunk-state.js';
import type { TestSandbox } from '../test/support/sandbox.js';

export const STEPS = TRUNK_STEPS;
export type Bucket = TrunkStep | 'other';

/** The step a sandbox route belongs to (a step's reads of another step's route count there). */
function bucketOf(route: string): Bucket {
  if (route.endsWith('/Credentials.json')) return 'credential';
  if (route.endsWith('/SIP/CredentialLists.json')) return 'credentialList';
  if (/\/Trunks\/:\w+\/CredentialLists$/.test(route)) return 'association';
  if (route.includes('/OriginationUrls')) return 'origination';
  if (/\/v1\/Trunks(\/:\w+)?$/.test(route)) return 'trunk';
  return 'other';
}

export type Calls = Record<Bucket, { reads: number; writes: number }>;

export function countCalls(sb: TestSandbox): Calls {
  const out = Object.fromEntries(
    [...STEPS, 'other'].map((b) => [b, { reads: 0, writes: 0 }]),
  ) as Calls;
  for (const [key, n] of sb.context.counters) {
    const [method = '', route = ''] = key.split(' ');
    if (!route.startsWith('/twilio')) continue;
    const c = out[bucketOf(route)];
    if (method === 'GET') c.reads += n;
    else c.writes += n;
  }
  return out;
}

export const total = (c: Calls) =>
  Object.values(c).reduce((a, x) => ({ reads: a.reads + x.reads, writes: a.writes + x.writes }), {
    reads: 0,
    writes: 0,
  });

export const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}

export interface Account {
  sid: string;
  authToken: string;
}

export async function newAccount(sb: TestSandbox): Promise<Account> {
  const r = await sb.admin('POST', 'twilio/accounts', {});
  return r.body as Account;
}

export interface BaselineTrunk {
  trunkSid: string;
  listSid: string;
  /** Wall ms per step. */
  times: Record<string, number>;
}

/** The minimal correct client, step by step. */
export async function baselineFresh(sb: TestSandbox, a: Account): Promise<BaselineTrunk> {
  const { sdk } = createTwilioClient(
    { accountSid: a.sid, authToken: a.authToken },
    { mode: 'sandbox', sandboxUrl: sb.url },
  );
  const sip = sdk.api.v2010.accounts(a.sid).sip;
  const times: Record<string, number> = {};
  let t0 = process.hrtime.bigint();
  const domainName = `bench-${randomBytes(8).toString('hex')}.pstn.twilio.com`;
  await sdk.trunking.v1.trunks.list();
  const trunk = await sdk.trunking.v1.trunks.create({ domainName, friendlyName: 'bench' });
  times['trunk'] = ms(t0);
  t0 = process.hrtime.bigint();
  await sip.credentialLists.list();
  const list = await sip.credentialLists.create({ friendlyName: 'bench' });
  times['credentialList'] = ms(t0);
  t0 = process.hrtime.bigint();
  await sip.credentialLists(list.sid).credentials.create({
    username: 'bench',
    password: `Bench${randomBytes(12).toString('hex')}A1`,
  });
  times['credential'] = ms(t0);
  t0 = process.hrtime.bigint();
  await sdk.trunking.v1.trunks(trunk.sid).credentialsLists.create({ credentialListSid: list.sid });
  times['association'] = ms(t0);
  t0 = process.hrtime.bigint();
  await sdk.trunking.v1.trunks(trunk.sid).originationUrls.create({
    friendlyName: 'bench',
    sipUrl: 'sip:sip.retellai.com',
    weight: 1,
    priority: 1,
    enabled: true,
  });
  times['origination'] = ms(t0);
  return { trunkSid: trunk.sid, listSid: list.sid, times };
}

/** What a correct client reads to know a recorded trunk is still whole. */
export async function baselineRerun(
  sb: TestSandbox,
  a: Account,
  ids: BaselineTrunk,
): Promise<void> {
  const { sdk } = createTwilioClient(
    { accountSid: a.sid, authToken: a.authToken },
    { mode: 'sandbox', sandboxUrl: sb.url },
  );
  await sdk.trunking.v1.trunks(ids.trunkSid).fetch();
  await sdk.trunking.v1.trunks(ids.trunkSid).credentialsLists.list();
  await sdk.api.v2010.accounts(a.sid).sip.credentialLists(ids.listSid).credentials.list();
  await sdk.trunking.v1.trunks(ids.trunkSid).originationUrls.list();
}

export const countZero = (): Calls =>
  Object.fromEntries([...STEPS, 'other'].map((b) => [b, { reads: 0, writes: 0 }])) as Calls;
