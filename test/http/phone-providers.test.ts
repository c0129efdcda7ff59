// A phone at its providers, through the real server pointed at a real sandbox, on SQLite and
// PostgreSQL: its own Exotel account verified (ok, wrong token, an outage, none stored), audited
// as a use and an outcome; Retell agent ids pushed to Retell when Retell knows the number, only
// stored (synced false) when it does not or the tenant has no Retell credentials, and not stored
// at all when Retell fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../src/crypto/index.js';
import { createRetellClient, type RetellClient } from '../../src/providers/retell/index.js';
import { startTestSandbox, type TestSandbox } from '../support/sandbox.js';
import { DIALECTS, startTestServer, type HttpResult, type TestServer } from '../support/server.js';
import { randomPhoneNumber } from './fixtures.js';

const err = (r: HttpResult) => (r.json as { error: { code: string; message: string } }).error;

interface Phone {
  id: string;
  retell: { inboundAgentId: string | null; outboundAgentId: string | null; synced: boolean };
}

describe.each(DIALECTS)('phones at their providers on %s', (dialect) => {
  let sb: TestSandbox;
  let s: TestServer;
  let t = '';
  let token = '';
  let retell: RetellClient;

  beforeAll(async () => {
    sb = await startTestSandbox();
    s = await startTestServer(dialect, {
      logLevel: 'trace',
      config: { providers: 'sandbox', sandboxUrl: sb.url },
    });
    t = await s.createTenant('providers');
    token = await s.mintToken(t, ['phones:read', 'phones:write', 'credentials:write']);
    const key = sb.seed.retell?.apiKeys[0] ?? '';
    retell = createRetellClient(new Secret(key), {
      mode: 'sandbox',
      sandboxUrl: sb.url,
      readRetries: 0,
    });
  });
  afterAll(async () => {
    await s?.close();
    await sb?.close();
  });

  const create = async (body: Record<string, unknown>, tenant = t, tok = token) => {
    const r = await s.request('POST', `/v1/tenants/${tenant}/phones`, {
      token: tok,
      body: { number: randomPhoneNumber(), provider: 'exotel', ...body },
    });
    expect(r.status, r.text).toBe(201);
    return r.json as Phone;
  };
  const verify = (id: string, tok = token, tenant = t) =>
    s.request('POST', `/v1/tenants/${tenant}/phones/${id}/exotel/verify`, { token: tok });
  const auditOf = (id: string) =>
    s.server.database.db
      .selectFrom('audit_events')
      .select(['action', 'outcome', 'detail_json'])
      .where('target', '=', `phone:${id}`)
      .orderBy('seq')
      .execute();

  it("verifies the phone's own Exotel account: ok, wrong token, outage, none; audited", async () => {
    const account = sb.seed.exotel?.accounts[0];
    if (account === undefined) throw new Error('seed has no Exotel account');
    const exotel = {
      apiKey: account.apiKey,
      apiToken: account.apiToken,
      sid: account.sid,
      subdomain: account.host,
    };
    const good = await create({ exotel });
    const ok = await verify(good.id);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.json).toEqual({ ok: true });

    const bad = await create({ exotel: { ...exotel, apiToken: `${account.apiToken}x` } });
    const refused = await verify(bad.id);
    expect(refused.status).toBe(200);
    expect(refused.json).toMatchObject({
      ok: false,
      error: { code: 'ERR_PROVIDER_CREDENTIALS_INVALID', status: 401, retryable: false },
    });

    const fault = await sb.admin('POST', 'faults', {
      method: 'GET',
      path: '^/exotel/',
      action: { kind: 'error', status: 503, message: 'down' },
    });
    expect(fault.status).toBe(201);
    const down = await verify(good.id);
    expect(down.json).toMatchObject({
      ok: false,
      error: { code: 'ERR_PROVIDER_UNAVAILABLE', retryable: true },
    });
    await sb.admin('DELETE', 'faults');

    const none = await create({ provider: 'twilio' });
    const missing = await verify(none.id);
    expect(missing.status).toBe(409);
    expect(err(missing)).toMatchObject({
      code: 'ERR_PROVIDER_NOT_CONFIGURED',
      message: 'exotel: the phone has no Exotel account',
    });
    const other = await s.createTenant('other');
    const foreign = await s.mintToken(other, ['phones:read']);
    expect((await verify(good.id, foreign, other)).status).toBe(404);
    expect((await verify(good.id, foreign)).status).toBe(404);

    expect((await auditOf(good.id)).map((e) => [e.action, e.outcome])).toEqual([
      ['phone.create', 'success'],
      ['phone.exotel.use', 'success'],
      ['phone.exotel.verify', 'success'],
      ['phone.exotel.use', 'success'],
      ['phone.exotel.verify', 'failure'],
    ]);
    const badEvents = await auditOf(bad.id);
    expect(JSON.parse(badEvents.at(-1)?.detail_json ?? '{}')).toEqual({
      code: 'ERR_PROVIDER_CREDENTIALS_INVALID',
      status: 401,
      retryable: false,
    });
    for (const secret of [account.apiKey, account.apiToken]) {
      expect(s.logLines.join('\n')).not.toContain(secret);
      expect(s.bodies.join('\n')).not.toContain(secret);
      expect(
        JSON.stringify(await s.server.database.db.selectFrom('audit_events').selectAll().execute()),
      ).not.toContain(secret);
    }
  });

  it('pushes agent ids to Retell when it knows the number, stores only when it does not', async () => {
    const number = randomPhoneNumber();
    const p = await create({ number, provider: 'retell' });
    const patch = (body: unknown) =>
      s.request('PATCH', `/v1/tenants/${t}/phones/${p.id}`, { token, body });
    // No Retell credentials yet: stored only.
    const unsynced = await patch({ retell: { inboundAgentId: 'agent_a' } });
    expect(unsynced.status, unsynced.text).toBe(200);
    expect((unsynced.json as Phone).retell).toEqual({
      inboundAgentId: 'agent_a',
      outboundAgentId: null,
      synced: false,
    });
    const key = sb.seed.retell?.apiKeys[0] ?? '';
    expect(
      (
        await s.request('PUT', `/v1/tenants/${t}/credentials/retell`, {
          token,
          body: { apiKey: key },
        })
      ).status,
    ).toBe(200);
    // Credentials, but Retell does not know the number: stored only.
    const unknown = await patch({ retell: { outboundAgentId: 'agent_b' } });
    expect((unknown.json as Phone).retell).toEqual({
      inboundAgentId: 'agent_a',
      outboundAgentId: 'agent_b',
      synced: false,
    });
    await retell.importNumber({ phoneNumber: number, terminationUri: 'acme.pstn.twilio.com' });
    const pushed = await patch({ retell: { inboundAgentId: 'agent_c' } });
    expect(pushed.status, pushed.text).toBe(200);
    expect((pushed.json as Phone).retell).toEqual({
      inboundAgentId: 'agent_c',
      outboundAgentId: 'agent_b',
      synced: true,
    });
    expect(await retell.getNumber(number)).toMatchObject({
      inboundAgents: [{ agentId: 'agent_c', weight: 1 }],
      outboundAgents: [{ agentId: 'agent_b', weight: 1 }],
    });
    // A label change does not touch Retell and keeps synced.
    expect(((await patch({ label: 'x' })).json as Phone).retell.synced).toBe(true);

    // Retell fails: the typed provider error, and the stored ids stay as they were.
    const fault = await sb.admin('POST', 'faults', {
      method: 'PATCH',
      path: '^/retell/update-phone-number/',
      action: { kind: 'error', status: 503, message: 'down' },
    });
    expect(fault.status).toBe(201);
    const failed = await patch({ retell: { inboundAgentId: 'agent_d' } });
    expect(failed.status).toBe(503);
    expect(err(failed).code).toBe('ERR_PROVIDER_UNAVAILABLE');
    await sb.admin('DELETE', 'faults');
    const after = await s.request('GET', `/v1/tenants/${t}/phones/${p.id}`, { token });
    expect((after.json as Phone).retell).toEqual({
      inboundAgentId: 'agent_c',
      outboundAgentId: 'agent_b',
      synced: true,
    });
    expect(await retell.getNumber(number)).toMatchObject({
      inboundAgents: [{ agentId: 'agent_c', weight: 1 }],
    });
    // Cleared: pushed as cleared.
    const cleared = await patch({ retell: null });
    expect((cleared.json as Phone).retell).toEqual({
      inboundAgentId: null,
      outboundAgentId: null,
      synced: true,
    });
    const updates = (await auditOf(p.id)).filter((e) => e.action === 'phone.update');
    expect(updates.map((e) => JSON.parse(e.detail_json ?? '{}') as unknown)).toEqual([
      { fields: ['retell'], retellSynced: false },
      { fields: ['retell'], retellSynced: false },
      { fields: ['retell'], retellSynced: true },
      { fields: ['label'] },
      { fields: ['retell'], retellSynced: true },
    ]);
  });
});
