// Canary, beside trunk-canary.test.ts: requests refused while carrying a SIP password (a password
// breaking Twilio's rules, an unknown credential or trunk, an unknown field, a second trunk to
// adopt), an adoption naming its credential, and the repair of Retell numbers with the adopted and
// with telvault's generated password. Neither password, nor a long fragment of it, may appear in a
// response body, a log line (trace level), an audit row, an answer of the sandbox's emulators or
// the database files' bytes (with -wal and -shm). The search is shown to mean something: the
// passwords did travel to the sandbox in requests, and every number authenticates afterwards.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTwilioClient } from '../../src/providers/twilio/index.js';
import type { TestSandbox } from '../support/sandbox.js';
import type { TestServer } from '../support/server.js';
import {
  heldPassword,
  numbersOnTrunk,
  outboundCheck,
  sipVerifies,
  trunkTenant,
  useTrunkStack,
  viewOf,
  withRetell,
  type TwilioAccountFixture,
} from './support.js';

/** A password to Twilio's rules that no code path would produce by chance. */
const canary = () => `CANARYsip${randomBytes(12).toString('hex')}Zz9`;

/** The whole value, and long fragments of it (a prefix or suffix hint would be a leak too). */
const needles = (v: string) => [v, v.slice(0, -4), v.slice(4)];

/** A trunk, list and credential with `password` made at the sandbox directly (the adoption case). */
async function platformTrunk(sb: TestSandbox, account: TwilioAccountFixture, password: string) {
  const c = createTwilioClient(
    { accountSid: account.sid, authToken: account.authToken },
    { mode: 'sandbox', sandboxUrl: sb.url },
  );
  const domainName = `canary-${randomBytes(4).toString('hex')}.pstn.twilio.com`;
  const trunk = await c.sdk.trunking.v1.trunks.create({ domainName, friendlyName: 'platform' });
  const api = c.sdk.api.v2010.accounts(account.sid).sip;
  const list = await api.credentialLists.create({ friendlyName: 'platform list' });
  const cred = await api
    .credentialLists(list.sid)
    .credentials.create({ username: 'platform-user', password });
  await c.sdk.trunking.v1
    .trunks(trunk.sid)
    .credentialsLists.create({ credentialListSid: list.sid });
  return { trunkSid: trunk.sid, credentialSid: cred.sid, domainName };
}

describe('no SIP password in refused requests or repairs (canary)', () => {
  const stack = useTrunkStack('sqlite', { logLevel: 'trace' });
  let sb: TestSandbox;
  let s: TestServer;
  beforeAll(() => ({ sb, s } = stack));

  const adopted = canary();
  let generated = '';
  const numbers: string[] = [];

  /** GET, GET ?check=live, a dry run and a repair of three broken Retell numbers. */
  async function exercise(tenantId: string, token: string, account: TwilioAccountFixture) {
    const base = `/v1/tenants/${tenantId}/trunk`;
    const v = viewOf(await s.request('GET', base, { token }));
    expect(v.state).toBe('ready');
    const live = viewOf(await s.request('GET', `${base}?check=live`, { token }));
    expect(live.drift).toEqual([]);
    const key = await withRetell(s, sb, tenantId, token);
    const trunk = { trunkSid: v.trunkSid ?? '', domainName: v.domainName ?? '' };
    const mine = await numbersOnTrunk(sb, account, key, trunk, 3);
    numbers.push(...mine);
    const dry = await s.request('POST', `${base}/repair?wait=true`, {
      token,
      body: { dryRun: true },
    });
    expect(dry.status, dry.text).toBe(200);
    const fixed = await s.request('POST', `${base}/repair?wait=true`, { token, body: {} });
    expect(fixed.status, fixed.text).toBe(200);
    expect((fixed.json as { result: { fixed: number } }).result.fixed).toBe(3);
    const jobId = (fixed.json as { id: string }).id;
    await s.request('GET', `/v1/tenants/${tenantId}/jobs/${jobId}`, { token });
    // The passwords did reach Retell (the repair sent them): each number now authenticates.
    for (const n of mine) expect(await outboundCheck(sb, n)).toEqual({ ok: true });
  }

  it('adopts with a canary password and repairs its numbers with it', async () => {
    const { tenantId, token, account } = await trunkTenant(s, sb, 'canary-adopt');
    const p = await platformTrunk(sb, account, adopted);
    const base = `/v1/tenants/${tenantId}/trunk`;
    // Refused requests carrying the canary: a password breaking Twilio's rules, an unknown
    // credential, a trunk that is not there, an unknown field.
    const refused = [
      { adopt: { trunkSid: p.trunkSid, password: adopted.replace(/[0-9]/g, 'x') } },
      { adopt: { trunkSid: p.trunkSid, credentialSid: `CR${'0'.repeat(32)}`, password: adopted } },
      { adopt: { trunkSid: `TK${'0'.repeat(32)}`, password: adopted } },
      { adopt: { trunkSid: p.trunkSid, password: adopted, extra: adopted } },
    ];
    for (const body of refused) {
      const r = await s.request('PUT', base, { token, body });
      expect(r.status, r.text).toBeGreaterThanOrEqual(400);
      expect(r.status, r.text).toBeLessThan(500);
    }
    const r = await s.request('PUT', base, {
      token,
      body: {
        adopt: { trunkSid: p.trunkSid, credentialSid: p.credentialSid, password: adopted },
      },
    });
    expect(r.status, r.text).toBe(200);
    expect(viewOf(r).credential?.origin).toBe('adopted');
    expect((await heldPassword(s, tenantId)).reveal()).toBe(adopted);
    // Adopted once: another trunk to adopt is a conflict, still carrying the canary.
    const other = await s.request('PUT', base, {
      token,
      body: { adopt: { trunkSid: `TK${'1'.repeat(32)}`, password: adopted } },
    });
    expect(other.status).toBe(409);
    await exercise(tenantId, token, account);
  });

  it("sets up telvault's own password and repairs its numbers with it", async () => {
    const { tenantId, token, account } = await trunkTenant(s, sb, 'canary-own');
    const r = await s.request('PUT', `/v1/tenants/${tenantId}/trunk`, { token, body: {} });
    expect(r.status, r.text).toBe(200);
    const v = viewOf(r);
    generated = (await heldPassword(s, tenantId)).reveal();
    expect(generated).toHaveLength(32);
    expect(await sipVerifies(sb, v.domainName ?? '', v.credential?.username ?? '', generated)).toBe(
      true,
    );
    await exercise(tenantId, token, account);
  });

  it('finds neither password in responses, logs, audit rows, sandbox answers or the database', async () => {
    const responses = s.bodies.join('\n');
    const logs = s.logLines.join('\n');
    const audit = JSON.stringify(
      await s.server.database.db.selectFrom('audit_events').selectAll().execute(),
    );
    const exchanges = sb.context.exchanges.entries;
    const answers = exchanges.map((e) => e.responseBody ?? '').join('\n');
    // Every file of the data directory as bytes: the database, its -wal and -shm.
    const files = readdirSync(s.dataDir).filter((f) => f.startsWith('telvault.db'));
    const raw = files.map((f) => readFileSync(join(s.dataDir, f)).toString('latin1')).join('\n');

    // The search is meaningful: every trunk request and provider call logged (trace), the trunk
    // and repair events audited, the passwords sent to the sandbox (requests), the rows on disk.
    expect(s.logLines.filter((l) => l.includes('/trunk')).length).toBeGreaterThanOrEqual(14);
    const updates = s.logLines.filter((l) => l.includes('"operation":"phoneNumber.update"'));
    expect(updates).toHaveLength(6);
    expect(audit).toContain('trunk.repair');
    expect(audit).toContain('trunk.step.done');
    expect(files).toEqual(expect.arrayContaining(['telvault.db', 'telvault.db-wal']));
    const sent = JSON.stringify(exchanges.map((e) => e.requestBody));
    expect(sent).toContain(adopted);
    expect(sent).toContain(generated);
    expect(exchanges.filter((e) => e.url.includes('update-phone-number')).length).toBe(6);
    expect(numbers).toHaveLength(6);

    for (const [name, password] of [
      ['adopted canary', adopted],
      ['generated', generated],
    ] as const) {
      for (const needle of needles(password)) {
        expect(responses.includes(needle), `${name} password in a response`).toBe(false);
        expect(logs.includes(needle), `${name} password in a log line`).toBe(false);
        expect(audit.includes(needle), `${name} password in an audit row`).toBe(false);
        expect(answers.includes(needle), `${name} password in a sandbox answer`).toBe(false);
        expect(raw.includes(needle), `${name} password in the database bytes`).toBe(false);
      }
    }
  });
});
