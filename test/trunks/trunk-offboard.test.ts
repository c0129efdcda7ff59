// Offboarding: DELETE …/trunk takes the numbers off Retell and releases (or detaches) them, and
// removes what telvault created, leaving what it adopted; tenant deletion is refused while the
// tenant has a trunk or trunk numbers, allowed after, and with force leaves them listed.
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestSandbox } from '../support/sandbox.js';
import { DIALECTS, type TestServer } from '../support/server.js';
import {
  foreignTrunk,
  outboundCheck,
  sipVerifies,
  trunkTenant,
  twilioOf,
  viewOf,
  withRetell,
  useTrunkStack,
} from './support.js';

interface Offboarded {
  numbers: { released: number; detached: number };
  removed: { resource: string; sid: string }[];
  leftInPlace: { resource: string; sid: string }[];
}

describe.each(DIALECTS)('offboarding on %s', (dialect) => {
  const stack = useTrunkStack(dialect);
  let sb: TestSandbox;
  let s: TestServer;
  beforeAll(() => ({ sb, s } = stack));

  const buy = (tenantId: string, token: string, key: string) =>
    s.request('POST', `/v1/tenants/${tenantId}/phones/purchase`, {
      token,
      body: { areaCode: '415' },
      headers: { 'idempotency-key': key },
    });

  it('leaves nothing telvault created; tenant deletion refused before, allowed after', async () => {
    const t = await trunkTenant(s, sb);
    await withRetell(s, sb, t.tenantId, t.token);
    await s.request('PUT', `/v1/tenants/${t.tenantId}/trunk`, { token: t.token, body: {} });
    const numbers: string[] = [];
    for (const k of ['a', 'b']) {
      const r = await buy(t.tenantId, t.token, k);
      expect(r.status, r.text).toBe(201);
      numbers.push((r.json as { number: string }).number);
    }
    const refused = await s.request('DELETE', `/v1/tenants/${t.tenantId}`, { token: s.rootToken });
    expect(refused.status, refused.text).toBe(409);
    expect((refused.json as { error: { code: string } }).error.code).toBe(
      'ERR_TENANT_HAS_PROVIDER_RESOURCES',
    );

    const off = await s.request('DELETE', `/v1/tenants/${t.tenantId}/trunk?releaseNumbers=true`, {
      token: t.token,
    });
    expect(off.status, off.text).toBe(200);
    const o = off.json as Offboarded;
    expect(o.numbers).toEqual({ released: 2, detached: 0 });
    expect(o.leftInPlace).toEqual([]);
    expect(o.removed.map((r) => r.resource).sort()).toEqual(
      ['credential', 'credentialList', 'originationUrl', 'trunk'].sort(),
    );
    const tw = await twilioOf(sb, t.account.sid);
    expect(tw).toEqual({ credentialLists: [], trunks: [], numbers: [] });
    for (const n of numbers)
      expect((await outboundCheck(sb, n)).reason).toBe('number not imported');
    expect(
      (await s.request('GET', `/v1/tenants/${t.tenantId}/trunk`, { token: t.token })).status,
    ).toBe(404);
    const phones = await s.request('GET', `/v1/tenants/${t.tenantId}/phones`, {
      token: s.rootToken,
    });
    expect((phones.json as { phones: unknown[] }).phones).toEqual([]);
    // Re-running the offboarding finds nothing left: 404.
    expect(
      (await s.request('DELETE', `/v1/tenants/${t.tenantId}/trunk`, { token: t.token })).status,
    ).toBe(404);
    const deleted = await s.request('DELETE', `/v1/tenants/${t.tenantId}`, { token: s.rootToken });
    expect(deleted.status, deleted.text).toBe(204);
  });

  it('leaves what it adopted in place, detached numbers stay the tenant’s', async () => {
    const t = await trunkTenant(s, sb);
    await withRetell(s, sb, t.tenantId, t.token);
    const f = await foreignTrunk(sb, t.account);
    const v = viewOf(
      await s.request('PUT', `/v1/tenants/${t.tenantId}/trunk`, {
        token: t.token,
        body: { adopt: { trunkSid: f.trunkSid } },
      }),
    );
    expect(v.credential?.origin).toBe('created');
    const r = await buy(t.tenantId, t.token, 'x');
    expect(r.status, r.text).toBe(201);
    const off = (await s.request('DELETE', `/v1/tenants/${t.tenantId}/trunk`, { token: t.token }))
      .json as Offboarded;
    expect(off.numbers).toEqual({ released: 0, detached: 1 });
    expect(off.leftInPlace.map((x) => x.resource).sort()).toEqual(['credentialList', 'trunk']);
    expect(off.removed.map((x) => x.resource).sort()).toEqual(['credential', 'originationUrl']);
    const tw = await twilioOf(sb, t.account.sid);
    expect(tw.trunks.map((x) => x.sid)).toEqual([f.trunkSid]);
    expect(tw.trunks[0]?.originationUrls).toEqual([]);
    expect(tw.credentialLists[0]?.credentials.map((c) => c.sid)).toEqual([f.credentials[0]?.sid]);
    const foreign = f.credentials[0];
    expect(
      await sipVerifies(sb, f.domainName, foreign?.username ?? '', foreign?.password ?? ''),
    ).toBe(true);
    expect(tw.numbers).toEqual([expect.objectContaining({ trunkSid: null })]);
    // The detached phone is still the tenant's at Twilio: deleting the tenant is refused.
    const refused = await s.request('DELETE', `/v1/tenants/${t.tenantId}`, { token: s.rootToken });
    expect(refused.status).toBe(409);
  });

  it('force deletes the tenant and lists what it left at the providers', async () => {
    const t = await trunkTenant(s, sb);
    const v = viewOf(
      await s.request('PUT', `/v1/tenants/${t.tenantId}/trunk`, { token: t.token, body: {} }),
    );
    const r = await s.request('DELETE', `/v1/tenants/${t.tenantId}?force=true`, {
      token: s.rootToken,
    });
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({ leftAtProviders: [{ resource: 'trunk', sid: v.trunkSid }] });
    const events = await s.server.database.db
      .selectFrom('audit_events')
      .select('detail_json')
      .where('action', '=', 'tenant.delete')
      .where('target', '=', `tenant:${t.tenantId}`)
      .execute();
    expect(events[0]?.detail_json ?? '').toContain(v.trunkSid ?? 'none');
  });
});
