// Tenant settings through the real server: defaults until changed, partial PATCH, null clears the
// default region and resets the outbound limits, validation naming the field, the scope, audit with
// field names only, deletion with the tenant; the outbound limits read the policy set here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asTenantId } from '../../src/crypto/index.js';
import { DEFAULT_ALLOWED_NUMBER_TYPES } from '../../src/services/phones/index.js';
import { DIALECTS, startTestServer, type HttpResult, type TestServer } from '../support/server.js';

const DEFAULT_KIND = {
  perCaller: { points: 30, windowSeconds: 60 },
  perDestination: [
    { points: 3, windowSeconds: 600 },
    { points: 20, windowSeconds: 86400 },
  ],
};
const DEFAULT_LIMITS = { calls: DEFAULT_KIND, messages: DEFAULT_KIND };

const err = (r: HttpResult) => (r.json as { error: { code: string; message: string } }).error;

describe.each(DIALECTS)('tenant settings on %s', (dialect) => {
  let s: TestServer;
  let t = asTenantId('unset');
  let token = '';
  const url = () => `/v1/tenants/${t}/settings`;

  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'silent' });
    t = await s.createTenant('settings');
    token = await s.mintToken(t, ['settings:manage']);
  });
  afterAll(async () => {
    await s.close();
  });

  it('shows the defaults, then changes only what a PATCH sends; null clears the region', async () => {
    const first = await s.request('GET', url(), { token });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({
      defaultCountry: null,
      allowedNumberTypes: [...DEFAULT_ALLOWED_NUMBER_TYPES],
      limits: DEFAULT_LIMITS,
      exotelFallbackToTenant: false,
      allowedDestinationCountries: null,
      updatedAt: null,
    });
    const au = await s.request('PATCH', url(), { token, body: { defaultCountry: 'AU' } });
    expect(au.status, au.text).toBe(200);
    expect(au.json).toMatchObject({
      defaultCountry: 'AU',
      allowedNumberTypes: [...DEFAULT_ALLOWED_NUMBER_TYPES],
    });
    const types = await s.request('PATCH', url(), {
      token: s.rootToken,
      body: { allowedNumberTypes: ['MOBILE', 'PREMIUM_RATE'] },
    });
    expect(types.json).toMatchObject({
      defaultCountry: 'AU',
      allowedNumberTypes: ['MOBILE', 'PREMIUM_RATE'],
    });
    const cleared = await s.request('PATCH', url(), { token, body: { defaultCountry: null } });
    expect(cleared.json).toMatchObject({
      defaultCountry: null,
      allowedNumberTypes: ['MOBILE', 'PREMIUM_RATE'],
    });
    expect((await s.request('GET', url(), { token })).json).toEqual(cleared.json);
  });

  it('refuses bad input with 400 naming the field and the rule, and changes nothing', async () => {
    const before = (await s.request('GET', url(), { token })).json;
    const cases: [unknown, string][] = [
      [{ defaultCountry: 'au' }, 'defaultCountry: must be an ISO 3166 alpha-2 region'],
      [{ defaultCountry: 'XX' }, 'defaultCountry: must be an ISO 3166 alpha-2 region'],
      [{ defaultCountry: 61 }, 'defaultCountry: must be an ISO 3166 alpha-2 region'],
      [{ allowedNumberTypes: [] }, 'allowedNumberTypes: must list at least one number type'],
      [{ allowedNumberTypes: null }, 'allowedNumberTypes: must be a list of number types'],
      [{ allowedNumberTypes: ['MOBILE', 'MOBILE'] }, 'allowedNumberTypes: must not repeat a type'],
      [{ allowedNumberTypes: ['CB_RADIO'] }, 'allowedNumberTypes.0: must be one of MOBILE'],
      [{ theme: 'dark' }, 'theme: unknown field'],
    ];
    for (const [body, message] of cases) {
      const r = await s.request('PATCH', url(), { token, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(err(r).code).toBe('ERR_VALIDATION');
      expect(err(r).message, JSON.stringify(body)).toContain(message);
    }
    expect((await s.request('GET', url(), { token })).json).toEqual(before);
  });

  it('turns the Exotel fallback on and off; a value that is not a boolean is refused by name', async () => {
    const other = await s.createTenant('fallback');
    const u = `/v1/tenants/${other}/settings`;
    const on = await s.request('PATCH', u, {
      token: s.rootToken,
      body: { exotelFallbackToTenant: true },
    });
    expect(on.status, on.text).toBe(200);
    expect(on.json).toMatchObject({ exotelFallbackToTenant: true, defaultCountry: null });
    const bad = await s.request('PATCH', u, {
      token: s.rootToken,
      body: { exotelFallbackToTenant: 'yes' },
    });
    expect(bad.status).toBe(400);
    expect((bad.json as { error: { message: string } }).error.message).toContain(
      'exotelFallbackToTenant',
    );
    expect((await s.request('GET', u, { token: s.rootToken })).json).toMatchObject({
      exotelFallbackToTenant: true,
    });
    const off = await s.request('PATCH', u, {
      token: s.rootToken,
      body: { exotelFallbackToTenant: false },
    });
    expect(off.json).toMatchObject({ exotelFallbackToTenant: false });
  });

  it('needs settings:manage (or root), and audits field names without values', async () => {
    const weak = await s.mintToken(t, ['phones:write', 'phones:read']);
    expect((await s.request('GET', url(), { token: weak })).status).toBe(403);
    const other = await s.createTenant('other');
    const foreign = await s.mintToken(other, ['settings:manage']);
    expect((await s.request('GET', url(), { token: foreign })).status).toBe(404);
    expect((await s.request('PATCH', url(), { token: foreign, body: {} })).status).toBe(404);

    await s.request('PATCH', url(), { token, body: { defaultCountry: 'IN' } });
    const events = await s.server.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('tenant_id', '=', t)
      .where('action', '=', 'settings.update')
      .execute();
    expect(events.length).toBe(4);
    const last = events.sort((a, b) => Number(a.seq) - Number(b.seq)).at(-1);
    expect(JSON.parse(String(last?.detail_json ?? '{}'))).toEqual({ fields: ['defaultCountry'] });
    expect(JSON.stringify(events)).not.toContain('"IN"');
  });

  it('deletes the settings row with the tenant', async () => {
    const doomed = await s.createTenant('doomed');
    await s.request('PATCH', `/v1/tenants/${doomed}/settings`, {
      token: s.rootToken,
      body: { defaultCountry: 'GB' },
    });
    const rows = () =>
      s.server.database.db
        .selectFrom('tenant_settings')
        .selectAll()
        .where('tenant_id', '=', doomed)
        .execute();
    expect((await rows()).length).toBe(1);
    expect(
      (await s.request('DELETE', `/v1/tenants/${doomed}`, { token: s.rootToken })).status,
    ).toBe(204);
    expect(await rows()).toEqual([]);
  });

  it('sets the outbound limits per kind, resets a kind or all with null, and audits the field', async () => {
    const lt = await s.createTenant('limits');
    const lurl = `/v1/tenants/${lt}/settings`;
    const calls = {
      perCaller: { points: 10, windowSeconds: 30 },
      perDestination: [{ points: 2, windowSeconds: 3600 }],
    };
    const set = await s.request('PATCH', lurl, { token: s.rootToken, body: { limits: { calls } } });
    expect(set.status, set.text).toBe(200);
    expect((set.json as { limits: unknown }).limits).toEqual({ calls, messages: DEFAULT_KIND });
    // Other settings and the other kind are kept by a later PATCH.
    const messages = { ...calls, perCaller: { points: 5, windowSeconds: 60 } };
    const both = await s.request('PATCH', lurl, {
      token: s.rootToken,
      body: { defaultCountry: 'GB', limits: { messages } },
    });
    expect((both.json as { limits: unknown }).limits).toEqual({ calls, messages });
    expect((await s.request('GET', lurl, { token: s.rootToken })).json).toMatchObject({
      defaultCountry: 'GB',
      limits: { calls, messages },
    });

    // The outbound limits read the policy in force.
    const charge = (kind: 'call' | 'message') =>
      s.server.services.outboundLimits.charge({
        tenantId: lt,
        kind,
        tokenId: 'tok-settings',
        destination: '+61491570188',
      });
    expect((await charge('call'))['RateLimit-Policy']).toBe(
      '"caller";q=10;w=30, "destination-3600s";q=2;w=3600',
    );

    const oneReset = await s.request('PATCH', lurl, {
      token: s.rootToken,
      body: { limits: { calls: null } },
    });
    expect((oneReset.json as { limits: unknown }).limits).toEqual({
      calls: DEFAULT_KIND,
      messages,
    });
    const allReset = await s.request('PATCH', lurl, { token: s.rootToken, body: { limits: null } });
    expect(allReset.json).toMatchObject({ defaultCountry: 'GB', limits: DEFAULT_LIMITS });
    expect((await charge('message'))['RateLimit-Policy']).toBe(
      '"caller";q=30;w=60, "destination-600s";q=3;w=600, "destination-86400s";q=20;w=86400',
    );

    const events = await s.server.database.db
      .selectFrom('audit_events')
      .selectAll()
      .where('tenant_id', '=', lt)
      .where('action', '=', 'settings.update')
      .execute();
    const fields = events
      .sort((a, b) => Number(a.seq) - Number(b.seq))
      .map((e) => (JSON.parse(String(e.detail_json)) as { fields: string[] }).fields);
    expect(fields).toEqual([['limits'], ['defaultCountry', 'limits'], ['limits'], ['limits']]);
  });

  it('refuses bad limits with 400 naming the field and the rule, and changes nothing', async () => {
    const lt = await s.createTenant('bad-limits');
    const lurl = `/v1/tenants/${lt}/settings`;
    const ok = { points: 3, windowSeconds: 600 };
    const kind = (o: object) => ({
      limits: { calls: { perCaller: ok, perDestination: [ok], ...o } },
    });
    const cases: [unknown, string][] = [
      [{ limits: 'strict' }, 'limits: must be an object { calls?, messages? } or null'],
      [{ limits: { sms: null } }, 'limits.sms: unknown field'],
      [
        { limits: { calls: {} } },
        'limits.calls.perCaller: must be an object { points, windowSeconds }',
      ],
      [
        kind({ perCaller: { points: 0, windowSeconds: 60 } }),
        'limits.calls.perCaller.points: must be a whole number from 1 to 100000',
      ],
      [
        kind({ perCaller: { points: 2.5, windowSeconds: 60 } }),
        'limits.calls.perCaller.points: must be a whole number from 1 to 100000',
      ],
      [
        kind({ perCaller: { points: '30', windowSeconds: 60 } }),
        'limits.calls.perCaller.points: must be a whole number from 1 to 100000',
      ],
      [
        kind({ perCaller: { points: 3, windowSeconds: 604801 } }),
        'limits.calls.perCaller.windowSeconds: must be a whole number of seconds from 1 to 604800',
      ],
      [
        kind({ perCaller: { points: 3, windowSeconds: 60, burst: 1 } }),
        'limits.calls.perCaller.burst: unknown field',
      ],
      [kind({ perDestination: [] }), 'limits.calls.perDestination: must list at least one window'],
      [
        kind({ perDestination: [ok, { ...ok, points: 5 }] }),
        'limits.calls.perDestination: must not repeat a windowSeconds',
      ],
      [
        kind({ perDestination: [1, 2, 3, 4, 5].map((w) => ({ points: 1, windowSeconds: w })) }),
        'limits.calls.perDestination: must list at most 4 windows',
      ],
      [
        kind({ perDestination: [{ points: 1, windowSeconds: -5 }] }),
        'limits.calls.perDestination.0.windowSeconds: must be a whole number of seconds',
      ],
    ];
    const before = (await s.request('GET', lurl, { token: s.rootToken })).json;
    for (const [body, message] of cases) {
      const r = await s.request('PATCH', lurl, { token: s.rootToken, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(err(r).code).toBe('ERR_VALIDATION');
      expect(err(r).message, JSON.stringify(body)).toContain(message);
    }
    expect((await s.request('GET', lurl, { token: s.rootToken })).json).toEqual(before);
  });
});
