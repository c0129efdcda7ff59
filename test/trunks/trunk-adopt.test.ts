// Adopting a trunk made elsewhere (the field reports' main case): with the platform's known
// password telvault records the credential as adopted and writes nothing at Twilio; without it,
// the foreign credential is left untouched (its password still verifies) and telvault adds its
// own credential to the trunk's list.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestSandbox } from '../support/sandbox.js';
import type { TestServer } from '../support/server.js';
import {
  foreignTrunk,
  heldPassword,
  sipVerifies,
  trunkTenant,
  twilioCalls,
  twilioOf,
  viewOf,
  useTrunkStack,
} from './support.js';

describe('adopting a trunk', () => {
  const stack = useTrunkStack('sqlite');
  let sb: TestSandbox;
  let s: TestServer;
  beforeAll(() => ({ sb, s } = stack));
  beforeEach(() => {
    sb.context.counters.clear();
  });

  const setup = (tenantId: string, token: string, body: unknown) =>
    s.request('PUT', `/v1/tenants/${tenantId}/trunk`, { token, body });

  it('with the known password: recorded as adopted, zero writes at Twilio', async () => {
    const { tenantId, token, account } = await trunkTenant(s, sb);
    const f = await foreignTrunk(sb, account, { origination: 'sip:sip.retellai.com' });
    const cred = f.credentials[0];
    if (cred === undefined) throw new Error('no credential');
    sb.context.counters.clear();
    const r = await setup(tenantId, token, {
      adopt: { trunkSid: f.trunkSid, password: cred.password },
    });
    expect(r.status, r.text).toBe(200);
    expect((await twilioCalls(sb)).writes).toBe(0);
    const v = viewOf(r);
    expect(v.state).toBe('ready');
    expect(v.trunkSid).toBe(f.trunkSid);
    expect(v.domainName).toBe(f.domainName);
    expect(v.credentialList).toEqual({ sid: f.listSid, origin: 'adopted' });
    expect(v.credential).toEqual({
      sid: cred.sid,
      origin: 'adopted',
      username: cred.username,
      password: { set: true },
    });
    expect(v.originationUrls[0]?.origin).toBe('adopted');
    expect(v.steps.find((x) => x.name === 'trunk')?.origin).toBe('adopted');
    expect(r.text).not.toContain(cred.password);
    expect((await heldPassword(s, tenantId)).reveal()).toBe(cred.password);
    // A re-run (without adopt) keeps it all and writes nothing.
    sb.context.counters.clear();
    const again = viewOf(await setup(tenantId, token, {}));
    expect(again.credential?.sid).toBe(cred.sid);
    expect((await twilioCalls(sb)).writes).toBe(0);
  });

  it('an adopted trunk without a Retell origination URL gets one (the only write)', async () => {
    const { tenantId, token, account } = await trunkTenant(s, sb);
    const f = await foreignTrunk(sb, account);
    sb.context.counters.clear();
    const v = viewOf(
      await setup(tenantId, token, {
        adopt: { trunkSid: f.trunkSid, password: f.credentials[0]?.password },
      }),
    );
    expect(v.originationUrls).toEqual([expect.objectContaining({ origin: 'created' })]);
    expect((await twilioCalls(sb)).writes).toBe(1);
  });

  it('without the password: the foreign credential is untouched, telvault adds its own', async () => {
    const { tenantId, token, account } = await trunkTenant(s, sb);
    const f = await foreignTrunk(sb, account, { origination: 'sip:sip.retellai.com' });
    const foreign = f.credentials[0];
    if (foreign === undefined) throw new Error('no credential');
    const r = await setup(tenantId, token, { adopt: { trunkSid: f.trunkSid } });
    expect(r.status, r.text).toBe(200);
    const v = viewOf(r);
    expect(v.credentialList).toEqual({ sid: f.listSid, origin: 'adopted' });
    expect(v.credential?.origin).toBe('created');
    expect(v.credential?.sid).not.toBe(foreign.sid);
    expect(v.notes.join(' ')).toContain('left untouched');
    // The foreign password still verifies; telvault's own does too.
    expect(await sipVerifies(sb, f.domainName, foreign.username, foreign.password)).toBe(true);
    const mine = (await heldPassword(s, tenantId)).reveal();
    expect(await sipVerifies(sb, f.domainName, v.credential?.username ?? '', mine)).toBe(true);
    const tw = await twilioOf(sb, account.sid);
    expect(tw.trunks).toHaveLength(1);
    expect(tw.credentialLists).toHaveLength(1);
    expect(tw.credentialLists[0]?.credentials.map((c) => c.sid).sort()).toEqual(
      [foreign.sid, v.credential?.sid].sort(),
    );
  });

  it('a list with several credentials needs adopt.credentialSid with the password', async () => {
    const { tenantId, token, account } = await trunkTenant(s, sb);
    const f = await foreignTrunk(sb, account, { credentials: 2 });
    const second = f.credentials[1];
    if (second === undefined) throw new Error('no credential');
    const refused = await setup(tenantId, token, {
      adopt: { trunkSid: f.trunkSid, password: second.password },
    });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.text).toMatch(/adopt\.credentialSid/);
    expect(refused.text).not.toContain(second.password);
    const ok = await setup(tenantId, token, {
      adopt: { trunkSid: f.trunkSid, credentialSid: second.sid, password: second.password },
    });
    expect(ok.status, ok.text).toBe(200);
    expect(viewOf(ok).credential?.sid).toBe(second.sid);
  });

  it('refuses to adopt another trunk once the tenant has one', async () => {
    const { tenantId, token, account } = await trunkTenant(s, sb);
    expect((await setup(tenantId, token, {})).status).toBe(200);
    const f = await foreignTrunk(sb, account);
    const r = await setup(tenantId, token, { adopt: { trunkSid: f.trunkSid } });
    expect(r.status, r.text).toBe(409);
    expect((r.json as { error: { code: string } }).error.code).toBe('ERR_TRUNK_CONFLICT');
    // The refusal changed nothing: the trunk is still ready.
    const v = viewOf(await s.request('GET', `/v1/tenants/${tenantId}/trunk`, { token }));
    expect(v.state).toBe('ready');
    expect(v.failedStep).toBeNull();
  });

  it('an adopt naming what Twilio does not have records nothing', async () => {
    const { tenantId, token, account } = await trunkTenant(s, sb);
    const f = await foreignTrunk(sb, account);
    const r = await setup(tenantId, token, {
      adopt: {
        trunkSid: f.trunkSid,
        credentialSid: `CR${'0'.repeat(32)}`,
        password: 'Abcdefgh1234',
      },
    });
    expect(r.status, r.text).toBe(400);
    expect(r.text).toMatch(/adopt\.credentialSid/);
    expect((await s.request('GET', `/v1/tenants/${tenantId}/trunk`, { token })).status).toBe(404);
  });
});
