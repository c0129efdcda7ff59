// Tenant settings through the real server: defaults until changed, partial PATCH, null clears the
// default region, validation naming the field, the scope, audit with field names only, deletion
// with the tenant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asTenantId } from '../../src/crypto/index.js';
import { DEFAULT_ALLOWED_NUMBER_TYPES } from '../../src/services/phones/index.js';
import { DIALECTS, startTestServer, type HttpResult, type TestServer } from '../support/server.js';

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
});
