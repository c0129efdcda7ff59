// POST /v1/tenants/:tenantId/twilio/subaccount through the real server against the sandbox: the
// sub-account is made under the platform's account and its credentials work as the tenant's; a
// second call asks Twilio nothing; a sub-account made by a run that died before storing it is
// adopted, never duplicated (also when Twilio applied the create and the answer was lost); the
// tenant's own account is never replaced; the lease keeps other runs out; access as for trunks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTwilioClient } from '../../src/providers/twilio/index.js';
import { nowIso } from '../../src/store/time.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';

interface ErrorJson {
  error: { code: string; message: string };
}
interface AuditPage {
  events: { action: string; target: string; outcome: string; detail: unknown }[];
}
interface Account {
  sid: string;
  authToken: string;
}

const ACCOUNTS = { method: 'POST', path: '/2010-04-01/Accounts\\.json$' } as const;

describe.each(DIALECTS)('Twilio sub-accounts for tenants on %s', (dialect) => {
  let sb: TestSandbox;
  let s: TestServer;
  let parent: Account;

  beforeAll(async () => {
    sb = await startTestSandbox();
    s = await startTestServer(dialect, {
      logLevel: 'debug',
      config: { providers: 'sandbox', sandboxUrl: sb.url },
    });
    // The platform's parent account: one of its own at the sandbox.
    const made = await sb.admin('POST', 'twilio/accounts', { friendlyName: 'platform' });
    parent = made.body as Account;
  });
  afterAll(async () => {
    await s?.close();
    await sb?.close();
  });

  const path = (t: string) => `/v1/tenants/${t}/twilio/subaccount`;
  const setPlatform = async () => {
    const r = await s.request('PUT', '/v1/platform/credentials/twilio', {
      token: s.rootToken,
      body: { accountSid: parent.sid, authToken: parent.authToken },
    });
    expect(r.status, r.text).toBe(200);
  };
  /** Calls to the sandbox's account routes (list, create) so far. */
  const accountCalls = async () => {
    const counters = (await sb.admin('GET', 'counters')).body as Record<string, number>;
    let list = 0;
    let create = 0;
    for (const [key, n] of Object.entries(counters)) {
      if (!key.endsWith('/2010-04-01/Accounts.json')) continue;
      if (key.startsWith('GET ')) list += n;
      if (key.startsWith('POST ')) create += n;
    }
    return { list, create };
  };
  /** The sandbox's sub-accounts of the platform's account with a name. */
  const subaccountsNamed = async (name: string) => {
    const client = createTwilioClient(
      { accountSid: parent.sid, authToken: parent.authToken },
      { mode: 'sandbox', sandboxUrl: sb.url },
    );
    return client.sdk.api.v2010.accounts.list({ friendlyName: name });
  };
  const verify = async (tenantId: string) => {
    const token = await s.mintToken(tenantId, ['credentials:read']);
    const r = await s.request('POST', `/v1/tenants/${tenantId}/credentials/twilio/verify`, {
      token,
    });
    expect(r.status, r.text).toBe(200);
    return r.json as { ok: boolean };
  };

  it('answers 409 ERR_PROVIDER_NOT_CONFIGURED naming what to set while the platform has none', async () => {
    const t = await s.createTenant('early');
    const before = await accountCalls();
    const r = await s.request('POST', path(t), { token: s.rootToken });
    expect(r.status, r.text).toBe(409);
    const { error } = r.json as ErrorJson;
    expect(error.code).toBe('ERR_PROVIDER_NOT_CONFIGURED');
    expect(error.message).toContain('PUT /v1/platform/credentials/twilio');
    expect(await accountCalls()).toEqual(before);
    // The failed use is on the operator stream; the lease was given back (a retry is not busy).
    const row = await s.server.database.db
      .selectFrom('twilio_subaccounts')
      .selectAll()
      .where('tenant_id', '=', t)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      friendly_name: `telvault ${t}`,
      account_sid: null,
      lease_owner: null,
    });
  });

  it('creates the sub-account, stores it as the tenant credentials, and a second call asks Twilio nothing', async () => {
    await setPlatform();
    const t = await s.createTenant('acme');
    const token = await s.mintToken(t, ['trunks:manage']);
    const before = await accountCalls();
    const r = await s.request('POST', path(t), { token });
    expect(r.status, r.text).toBe(200);
    const made = r.json as { accountSid: string; friendlyName: string; created: boolean };
    expect(Object.keys(made).sort()).toEqual(['accountSid', 'created', 'friendlyName']);
    expect(made).toMatchObject({ friendlyName: `telvault ${t}`, created: true });
    expect(made.accountSid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(await accountCalls()).toEqual({ list: before.list + 1, create: before.create + 1 });
    const [sub] = await subaccountsNamed(`telvault ${t}`);
    expect(sub?.sid).toBe(made.accountSid);
    expect(sub?.ownerAccountSid).toBe(parent.sid);
    // Its token was stored (sealed), never answered.
    expect(r.text).not.toContain(sub?.authToken ?? 'x');
    const creds = await s.request('GET', `/v1/tenants/${t}/credentials/twilio`, {
      token: s.rootToken,
    });
    expect(creds.json).toMatchObject({
      accountSid: made.accountSid,
      authToken: { set: true, last4: sub?.authToken.slice(-4) },
    });
    expect(await verify(t)).toMatchObject({ ok: true });

    const mid = await accountCalls();
    const again = await s.request('POST', path(t), { token: s.rootToken });
    expect(again.status, again.text).toBe(200);
    expect(again.json).toEqual({ ...made, created: false });
    // Answered from the database: not even a list at Twilio.
    expect(await accountCalls()).toEqual(mid);
    expect(await subaccountsNamed(`telvault ${t}`)).toHaveLength(1);

    // Audited: the tenant's stream has the credential write and the creation; the operator's the
    // use of the platform credentials for this tenant.
    const tenantAudit = (await s.request('GET', `/v1/tenants/${t}/audit`, { token: s.rootToken }))
      .json as AuditPage;
    expect(tenantAudit.events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['credential.write', 'twilio.subaccount.create']),
    );
    const ops = (await s.request('GET', '/v1/audit?limit=500', { token: s.rootToken }))
      .json as AuditPage;
    expect(ops.events.filter((e) => e.action === 'platform.credential.use').at(-1)).toMatchObject({
      outcome: 'success',
      detail: { operation: 'twilio.subaccount', tenantId: t },
    });
    const logs = s.logLines.join('\n');
    expect(logs).not.toContain(sub?.authToken ?? 'x');
    expect(logs).not.toContain(parent.authToken);
  });

  it('adopts a sub-account a run made before dying, whatever it left on record', async () => {
    await setPlatform();
    const client = createTwilioClient(
      { accountSid: parent.sid, authToken: parent.authToken },
      { mode: 'sandbox', sandboxUrl: sb.url },
    );
    // Made at Twilio, nothing stored; and once more with the intent recorded and the dead run's
    // lease expired.
    for (const leftover of ['nothing', 'expired lease'] as const) {
      const t = await s.createTenant(`crashed-${leftover}`);
      const made = await client.sdk.api.v2010.accounts.create({ friendlyName: `telvault ${t}` });
      if (leftover === 'expired lease') {
        await s.server.database.db
          .insertInto('twilio_subaccounts')
          .values({
            tenant_id: t,
            friendly_name: `telvault ${t}`,
            account_sid: null,
            lease_owner: 'dead-run',
            lease_expires_at: nowIso(() => Date.now() - 1000),
            created_at: nowIso(),
            updated_at: nowIso(),
          })
          .execute();
      }
      const before = await accountCalls();
      const r = await s.request('POST', path(t), { token: s.rootToken });
      expect(r.status, `${leftover}: ${r.text}`).toBe(200);
      expect(r.json).toEqual({
        accountSid: made.sid,
        friendlyName: `telvault ${t}`,
        created: false,
      });
      expect((await accountCalls()).create).toBe(before.create);
      expect(await subaccountsNamed(`telvault ${t}`)).toHaveLength(1);
      expect(await verify(t)).toMatchObject({ ok: true });
    }
  });

  it('converges when Twilio applied the create and the answer was lost', async () => {
    await setPlatform();
    const t = await s.createTenant('dropped');
    const rule = sb.context.faults.add({ ...ACCOUNTS, action: { kind: 'drop-after-commit' } });
    const first = await s.request('POST', path(t), { token: s.rootToken });
    sb.context.faults.remove(rule.id);
    expect(first.status, first.text).toBe(503);
    expect((first.json as ErrorJson).error.code).toBe('ERR_PROVIDER_UNAVAILABLE');
    expect(await subaccountsNamed(`telvault ${t}`)).toHaveLength(1);
    const again = await s.request('POST', path(t), { token: s.rootToken });
    expect(again.status, again.text).toBe(200);
    expect(again.json).toMatchObject({ created: false });
    expect(await subaccountsNamed(`telvault ${t}`)).toHaveLength(1);
    expect(await verify(t)).toMatchObject({ ok: true });
  });

  it("maps a refusal of the platform's account to the typed provider error", async () => {
    await setPlatform();
    const t = await s.createTenant('refused');
    const rule = sb.context.faults.add({
      ...ACCOUNTS,
      action: { kind: 'error', status: 403, code: 20008 },
    });
    const r = await s.request('POST', path(t), { token: s.rootToken });
    sb.context.faults.remove(rule.id);
    expect(r.status, r.text).toBe(502);
    expect((r.json as ErrorJson).error).toMatchObject({
      code: 'ERR_PROVIDER_FORBIDDEN',
      message: 'twilio accounts.create failed: HTTP 403 (code 20008)',
    });
  });

  it("never replaces the tenant's own Twilio account", async () => {
    await setPlatform();
    const t = await s.createTenant('own-account');
    const own = (await sb.admin('POST', 'twilio/accounts', {})).body as Account;
    const put = await s.request('PUT', `/v1/tenants/${t}/credentials/twilio`, {
      token: s.rootToken,
      body: { accountSid: own.sid, authToken: own.authToken },
    });
    expect(put.status).toBe(200);
    const before = await accountCalls();
    const r = await s.request('POST', path(t), { token: s.rootToken });
    expect(r.status, r.text).toBe(409);
    expect((r.json as ErrorJson).error).toMatchObject({
      code: 'ERR_CONFLICT',
      message: expect.stringContaining('credentials/twilio first') as unknown,
    });
    expect((await accountCalls()).create).toBe(before.create);
    const creds = await s.request('GET', `/v1/tenants/${t}/credentials/twilio`, {
      token: s.rootToken,
    });
    expect((creds.json as { accountSid: string }).accountSid).toBe(own.sid);
  });

  it('answers 409 while another run holds the lease, and nothing is made', async () => {
    await setPlatform();
    const t = await s.createTenant('leased');
    const at = nowIso();
    await s.server.database.db
      .insertInto('twilio_subaccounts')
      .values({
        tenant_id: t,
        friendly_name: `telvault ${t}`,
        account_sid: null,
        lease_owner: 'other-node',
        lease_expires_at: nowIso(() => Date.now() + 60_000),
        created_at: at,
        updated_at: at,
      })
      .execute();
    const before = await accountCalls();
    const r = await s.request('POST', path(t), { token: s.rootToken });
    expect(r.status, r.text).toBe(409);
    expect((r.json as ErrorJson).error.code).toBe('ERR_CONFLICT');
    expect(await accountCalls()).toEqual(before);
  });

  it('joins concurrent calls for one tenant into one run', async () => {
    await setPlatform();
    const t = await s.createTenant('concurrent');
    const before = await accountCalls();
    const answers = await Promise.all(
      [1, 2, 3].map(() => s.request('POST', path(t), { token: s.rootToken })),
    );
    for (const a of answers) expect(a.status, a.text).toBe(200);
    expect(new Set(answers.map((a) => (a.json as { accountSid: string }).accountSid)).size).toBe(1);
    expect((await accountCalls()).create).toBe(before.create + 1);
    expect(await subaccountsNamed(`telvault ${t}`)).toHaveLength(1);
  });

  it("refuses another tenant's token (404) and a token without trunks:manage (403)", async () => {
    await setPlatform();
    const t = await s.createTenant('guarded');
    const other = await s.createTenant('other');
    const foreign = await s.mintToken(other, ['trunks:manage']);
    const weak = await s.mintToken(t, ['credentials:write', 'credentials:read']);
    const before = await accountCalls();
    const r404 = await s.request('POST', path(t), { token: foreign });
    expect(r404.status).toBe(404);
    expect(r404.text).not.toContain(t);
    const r403 = await s.request('POST', path(t), { token: weak });
    expect(r403.status).toBe(403);
    expect((r403.json as ErrorJson).error.code).toBe('ERR_AUTH_FORBIDDEN');
    expect(await accountCalls()).toEqual(before);
    expect(await subaccountsNamed(`telvault ${t}`)).toHaveLength(0);
  });

  it("drops the tenant's record with the tenant (the sub-account stays at Twilio)", async () => {
    await setPlatform();
    const t = await s.createTenant('leaving');
    expect((await s.request('POST', path(t), { token: s.rootToken })).status).toBe(200);
    const db = s.server.database.db;
    const rows = () => db.selectFrom('twilio_subaccounts').selectAll().where('tenant_id', '=', t);
    expect(await rows().execute()).toHaveLength(1);
    const gone = await s.request('DELETE', `/v1/tenants/${t}`, { token: s.rootToken });
    expect(gone.status, gone.text).toBe(204);
    expect(await rows().execute()).toEqual([]);
    expect(await subaccountsNamed(`telvault ${t}`)).toHaveLength(1);
  });
});
