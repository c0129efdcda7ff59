// The trunk setup workflow through the real server against the sandbox, on SQLite and PostgreSQL:
// a fresh setup makes one of each resource and a credential whose password telvault holds; a
// re-run on a ready trunk writes nothing at Twilio; adoption with and without the password; the
// live check reports drift; scopes and tenants are enforced; provider failures leave the trunk
// failed at the step and a re-run converges.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestSandbox } from '../support/sandbox.js';
import { DIALECTS, type TestServer } from '../support/server.js';
import {
  heldPassword,
  sipVerifies,
  trunkTenant,
  twilioCalls,
  twilioOf,
  viewOf,
  useTrunkStack,
} from './support.js';

describe.each(DIALECTS)('trunk setup on %s', (dialect) => {
  const stack = useTrunkStack(dialect);
  let sb: TestSandbox;
  let s: TestServer;
  beforeAll(() => ({ sb, s } = stack));
  beforeEach(() => {
    sb.context.faults.clear();
    sb.context.counters.clear();
  });

  const setup = (tenantId: string, token: string, body?: unknown) =>
    s.request('PUT', `/v1/tenants/${tenantId}/trunk`, { token, body: body ?? {} });

  it('a fresh setup makes one trunk, list, credential, association and origination URL', async () => {
    const { tenantId, token, account } = await trunkTenant(s, sb);
    const before = await s.request('GET', `/v1/tenants/${tenantId}/trunk`, { token });
    expect(before.status).toBe(404);
    expect((before.json as { error: { code: string } }).error.code).toBe('ERR_TRUNK_NOT_FOUND');

    const r = await setup(tenantId, token);
    expect(r.status, r.text).toBe(200);
    const v = viewOf(r);
    expect(v.state).toBe('ready');
    expect(v.domainName).toMatch(/^[a-z0-9-]{1,63}\.pstn\.twilio\.com$/);
    expect(v.terminationUri).toBe(v.domainName);
    expect(v.credentialList?.origin).toBe('created');
    expect(v.credential?.origin).toBe('created');
    expect(v.credential?.password).toEqual({ set: true });
    expect(v.credential?.username.length).toBeLessThanOrEqual(32);
    expect(v.originationUrls).toEqual([
      expect.objectContaining({ sipUrl: 'sip:sip.retellai.com', origin: 'created' }),
    ]);
    expect(v.steps.map((x) => x.status)).toEqual(['done', 'done', 'done', 'done', 'done']);

    const tw = await twilioOf(sb, account.sid);
    expect(tw.trunks).toHaveLength(1);
    expect(tw.credentialLists).toHaveLength(1);
    expect(tw.credentialLists[0]?.credentials).toHaveLength(1);
    expect(tw.trunks[0]?.credentialLists).toEqual([tw.credentialLists[0]?.sid]);
    expect(tw.trunks[0]?.originationUrls).toEqual(['sip:sip.retellai.com']);
    expect(tw.trunks[0]?.sid).toBe(v.trunkSid);

    // The password telvault holds is the one the trunk accepts; the view never carries it.
    const password = (await heldPassword(s, tenantId)).reveal();
    expect(await sipVerifies(sb, v.domainName ?? '', v.credential?.username ?? '', password)).toBe(
      true,
    );
    expect(r.text).not.toContain(password);
    const got = await s.request('GET', `/v1/tenants/${tenantId}/trunk`, { token });
    expect(got.status).toBe(200);
    expect(viewOf(got)).toEqual(v);
  });

  it('a re-run on a ready trunk makes no write call to Twilio and answers the same trunk', async () => {
    const { tenantId, token } = await trunkTenant(s, sb);
    const first = viewOf(await setup(tenantId, token));
    sb.context.counters.clear();
    const again = await setup(tenantId, token);
    expect(again.status, again.text).toBe(200);
    const calls = await twilioCalls(sb);
    expect(calls.writes).toBe(0);
    expect(calls.reads).toBeGreaterThan(0);
    const v = viewOf(again);
    expect(v.trunkSid).toBe(first.trunkSid);
    expect(v.credential?.sid).toBe(first.credential?.sid);
    const password = (await heldPassword(s, tenantId)).reveal();
    expect(await sipVerifies(sb, v.domainName ?? '', v.credential?.username ?? '', password)).toBe(
      true,
    );
  });

  it('two tenants get different domains and usernames', async () => {
    const a = await trunkTenant(s, sb, 'a');
    const b = await trunkTenant(s, sb, 'b');
    const va = viewOf(await setup(a.tenantId, a.token));
    const vb = viewOf(await setup(b.tenantId, b.token));
    expect(va.domainName).not.toBe(vb.domainName);
    expect(va.credential?.username).not.toBe(vb.credential?.username);
    const [pa, pb] = [await heldPassword(s, a.tenantId), await heldPassword(s, b.tenantId)];
    expect(pa.reveal()).not.toBe(pb.reveal());
  });

  it('a taken domain falls back to a salted one, recorded, and the re-run keeps it', async () => {
    const { tenantId, token, account } = await trunkTenant(s, sb);
    // What the derived domain is: made by another account first.
    const probe = await trunkTenant(s, sb, 'probe');
    const pv = viewOf(await setup(probe.tenantId, probe.token));
    expect(pv.state).toBe('ready');
    // Quarantine every derived domain: faults on the create answer 21248 once.
    await sb.admin('POST', 'faults', {
      method: 'POST',
      route: '/twilio-trunking/v1/Trunks',
      action: { kind: 'error', status: 400, code: 21248, message: 'Trunk Domain already taken' },
    });
    const r = await setup(tenantId, token);
    expect(r.status, r.text).toBe(200);
    const v = viewOf(r);
    expect(v.notes.join(' ')).toMatch(/salted/);
    const tw = await twilioOf(sb, account.sid);
    expect(tw.trunks).toHaveLength(1);
    expect(tw.trunks[0]?.domainName).toBe(v.domainName);
    sb.context.counters.clear();
    const again = viewOf(await setup(tenantId, token));
    expect(again.domainName).toBe(v.domainName);
    expect((await twilioCalls(sb)).writes).toBe(0);
  });

  it('a provider failure leaves the trunk failed at its step; the re-run converges', async () => {
    const { tenantId, token, account } = await trunkTenant(s, sb);
    await sb.admin('POST', 'faults', {
      method: 'POST',
      path: '/SIP/CredentialLists/CL[0-9a-f]+/Credentials\\.json$',
      action: { kind: 'error', status: 503 },
    });
    const r = await setup(tenantId, token);
    expect(r.status).toBe(503);
    const failed = viewOf(await s.request('GET', `/v1/tenants/${tenantId}/trunk`, { token }));
    expect(failed.state).toBe('failed');
    expect(failed.failedStep).toBe('credential');
    expect(failed.error?.code).toBe('ERR_PROVIDER_UNAVAILABLE');
    expect(failed.credential).toBeNull();
    const ok = viewOf(await setup(tenantId, token));
    expect(ok.state).toBe('ready');
    expect(ok.failedStep).toBeNull();
    const tw = await twilioOf(sb, account.sid);
    expect(tw.trunks).toHaveLength(1);
    expect(tw.credentialLists).toHaveLength(1);
    expect(tw.credentialLists[0]?.credentials).toHaveLength(1);
  });

  it('GET ?check=live lists drift between the record and Twilio', async () => {
    const { tenantId, token, account } = await trunkTenant(s, sb);
    const v = viewOf(await setup(tenantId, token));
    const clean = viewOf(
      await s.request('GET', `/v1/tenants/${tenantId}/trunk?check=live`, { token }),
    );
    expect(clean.drift).toEqual([]);
    // Break it at Twilio: the association removed directly.
    const trunk = sb.context.twilio.state.trunks.get(v.trunkSid ?? '');
    trunk?.credentialLists.clear();
    const drifted = viewOf(
      await s.request('GET', `/v1/tenants/${tenantId}/trunk?check=live`, { token }),
    );
    expect(drifted.drift).toEqual([
      { resource: 'credentialList', problem: expect.stringContaining('not associated') as unknown },
    ]);
    // The re-run repairs it.
    expect(viewOf(await setup(tenantId, token)).state).toBe('ready');
    const tw = await twilioOf(sb, account.sid);
    expect(tw.trunks[0]?.credentialLists).toHaveLength(1);
  });

  it('needs trunks:manage; another tenant gets 404', async () => {
    const { tenantId } = await trunkTenant(s, sb);
    const other = await trunkTenant(s, sb, 'other');
    const weak = await s.mintToken(tenantId, ['phones:write', 'credentials:write']);
    expect((await setup(tenantId, weak)).status).toBe(403);
    expect((await s.request('GET', `/v1/tenants/${tenantId}/trunk`, { token: weak })).status).toBe(
      403,
    );
    expect((await setup(tenantId, other.token)).status).toBe(404);
  });

  it('refuses bad input naming the field, and changes nothing', async () => {
    const { tenantId, token, account } = await trunkTenant(s, sb);
    const cases: [unknown, RegExp][] = [
      [{ adopt: { trunkSid: 'TK123' } }, /adopt\.trunkSid/],
      [{ adopt: { trunkSid: `TK${'a'.repeat(32)}`, password: 'short' } }, /adopt\.password/],
      [{ inbound: { originationUri: 'http://x' } }, /inbound\.originationUri/],
      [{ other: 1 }, /other/],
    ];
    for (const [body, field] of cases) {
      const r = await setup(tenantId, token, body);
      expect(r.status, r.text).toBe(400);
      expect((r.json as { error: { message: string } }).error.message).toMatch(field);
    }
    const missing = await setup(tenantId, token, { adopt: { trunkSid: `TK${'a'.repeat(32)}` } });
    expect(missing.status, missing.text).toBe(400);
    expect((missing.json as { error: { code: string } }).error.code).toBe(
      'ERR_TRUNK_ADOPT_INVALID',
    );
    expect((await twilioOf(sb, account.sid)).trunks).toHaveLength(0);
  });
});
