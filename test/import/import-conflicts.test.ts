// importRecords over targets that already hold something (issue 21, item 1): a target holding the
// record's values is unchanged (also when the API wrote them; a later change at the source is
// then an update); values this import wrote are updated when the source changes; values it did
// not write, or that changed since it wrote them, are a conflict (not written, field names and
// the reason) unless replaceExisting, which writes them as replaced. Credentials, a phone that
// already has other Exotel credentials, and the imported trunk. SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TenantId } from '../../src/crypto/index.js';
import { importRecords, type ImportReport } from '../../src/index.js';
import { PASSWORD_FIELD, TRUNK_TABLE } from '../../src/services/trunks/trunk-record.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';
import { hex32 } from './legacy-samples.js';
import { recordsOf } from './support.js';

const CLI = { kind: 'cli' } as const;
const NOT_OURS = 'the target holds other values, not written by this import';
const CHANGED = 'the target changed since this import wrote it';

const mapping = {
  version: 1,
  keys: { plain: { scheme: 'plaintext' } },
  sources: [
    {
      name: 'rows',
      format: 'json',
      id: 'id',
      tenant: { externalId: { path: 'customer' } },
      targets: [
        {
          type: 'credentials:twilio',
          where: { path: 'kind', equals: 'twilio' },
          fields: { accountSid: { path: 'sid' }, authToken: { path: 'token', key: 'plain' } },
        },
        {
          type: 'phone',
          where: { path: 'kind', equals: 'phone' },
          fields: {
            number: { path: 'n' },
            provider: { value: 'exotel' },
            label: { path: 'label' },
            'exotel.apiKey': { path: 'key', key: 'plain' },
            'exotel.apiToken': { path: 'tok', key: 'plain' },
            'exotel.sid': { path: 'esid' },
            'exotel.subdomain': { value: 'api.exotel.com' },
          },
        },
        {
          type: 'trunk',
          where: { path: 'kind', equals: 'trunk' },
          fields: {
            trunkSid: { path: 'tk' },
            username: { path: 'user' },
            password: { path: 'pw', key: 'plain' },
          },
        },
      ],
    },
  ],
};

describe.each(DIALECTS)('importRecords over existing targets (%s)', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(dialect);
  });
  afterAll(async () => {
    await s?.close();
  });

  const run = (records: Record<string, unknown>[], replaceExisting = false) =>
    importRecords({ ...s.server.services, db: s.server.database.db }, mapping, records, {
      allowPlaintext: true,
      replaceExisting,
      actor: CLI,
    });
  const api = async (method: 'POST' | 'PUT', path: string, body: unknown) => {
    const r = await s.request(method, path, { token: s.rootToken, body });
    expect(r.status, r.text).toBeLessThan(300);
    return r.json as { id: string };
  };
  const tenant = async (externalId: string) =>
    (await api('POST', '/v1/tenants', { name: externalId, externalId })).id as TenantId;
  const twilio = (tenantId: TenantId, body: unknown) =>
    api('PUT', `/v1/tenants/${tenantId}/credentials/twilio`, body);
  const token = async (tenantId: TenantId) =>
    (await s.server.services.credentials.use(tenantId, 'twilio', 'import.test', CLI)).secrets[
      'authToken'
    ]?.reveal();
  const noValues = (r: ImportReport, values: string[]) => {
    const text = JSON.stringify(r);
    for (const v of values) expect(text).not.toContain(v);
  };

  it('credentials: the same values are unchanged, its own writes updated, a change since is a conflict', async () => {
    const sid = `AC${hex32('lib-account')}`;
    // Set through the API with the very values of the source: unchanged, not a conflict.
    const same = await tenant('lib-same');
    await twilio(same, { accountSid: sid, authToken: hex32('t1') });
    const rec = (customer: string, t: string) => ({
      id: `tw-${customer}`,
      kind: 'twilio',
      customer,
      sid,
      token: hex32(t),
    });
    const first = await run([rec('lib-same', 't1'), rec('lib-own', 't1')]);
    expect(first.targets).toEqual({ 'credentials:twilio': { unchanged: 1, created: 1 } });
    expect(first.conflicts).toEqual([]);
    // The source changes: both are now what this import holds, so both are updated.
    const second = await run([rec('lib-same', 't2'), rec('lib-own', 't2')]);
    expect(second.targets).toEqual({ 'credentials:twilio': { updated: 2 } });
    const own = (await s.server.services.tenants.findByExternalId('lib-own'))?.id as TenantId;
    expect(await token(same)).toBe(hex32('t2'));
    expect(await token(own)).toBe(hex32('t2'));

    // Someone changes the token through the API: neither the same source nor a changed one
    // writes over it.
    await twilio(own, { authToken: hex32('api') });
    for (const t of ['t2', 't3']) {
      const r = await run([rec('lib-own', t)]);
      expect(r.targets).toEqual({ 'credentials:twilio': { conflict: 1 } });
      expect(r.conflicts).toEqual([
        {
          source: 'rows',
          record: 'tw-lib-own',
          target: 'credentials:twilio',
          fields: ['authToken'],
          reason: CHANGED,
        },
      ]);
      noValues(r, [hex32('api'), hex32(t), sid]);
      expect(await token(own)).toBe(hex32('api'));
    }
    const replaced = await run([rec('lib-own', 't3')], true);
    expect(replaced.targets).toEqual({ 'credentials:twilio': { replaced: 1 } });
    expect(replaced.replaced).toEqual([expect.objectContaining({ fields: ['authToken'] })]);
    expect(await token(own)).toBe(hex32('t3'));
    expect((await run([rec('lib-own', 't3')])).targets).toEqual({
      'credentials:twilio': { unchanged: 1 },
    });
  });

  it('a phone that already has other Exotel credentials is a conflict; its key stays', async () => {
    const tenantId = await tenant('lib-phones');
    const exotel = (k: string) => ({
      apiKey: `key-${hex32(k)}`,
      apiToken: `tok-${hex32(k)}`,
      sid: `sid_${k}`,
      subdomain: 'api.exotel.com',
    });
    const phone = (number: string, label: string, k: string) =>
      api('POST', `/v1/tenants/${tenantId}/phones`, {
        number,
        provider: 'exotel',
        label,
        exotel: exotel(k),
      });
    const other = await phone('+919810000001', 'front desk', 'theirs');
    await phone('+919810000002', 'lobby', 'ours');
    const rec = (id: string, n: string, label: string, k: string) => ({
      id,
      kind: 'phone',
      customer: 'lib-phones',
      n,
      label,
      key: exotel(k).apiKey,
      tok: exotel(k).apiToken,
      esid: exotel(k).sid,
    });
    const records = [
      rec('p1', '+919810000001', 'front desk', 'ours'),
      rec('p2', '+919810000002', 'lobby', 'ours'),
      rec('p3', '+919810000003', 'new', 'ours'),
    ];
    const heldKey = async (id: string) => {
      const r = await recordsOf(s).find('phones', tenantId, { id });
      return r === undefined
        ? undefined
        : (await recordsOf(s).open('phones', tenantId, r, 'exotel.apiKey'))?.reveal();
    };

    const r = await run(records);
    expect(r.targets).toEqual({ phone: { conflict: 1, unchanged: 1, created: 1 } });
    expect(r.conflicts).toEqual([
      {
        source: 'rows',
        record: 'p1',
        target: 'phone',
        fields: ['exotel.apiKey', 'exotel.apiToken', 'exotel.sid'],
        reason: NOT_OURS,
      },
    ]);
    noValues(r, [exotel('theirs').apiKey, exotel('ours').apiKey, '9810000001']);
    expect(await heldKey(other.id)).toBe(exotel('theirs').apiKey);

    const replaced = await run(records, true);
    expect(replaced.targets).toEqual({ phone: { replaced: 1, unchanged: 2 } });
    expect(await heldKey(other.id)).toBe(exotel('ours').apiKey);
  });

  it('the imported trunk: another record with other values is a conflict', async () => {
    const tenantId = await tenant('lib-trunk');
    const rec = (id: string, user: string, pw: string) => ({
      id,
      kind: 'trunk',
      customer: 'lib-trunk',
      tk: `TK${hex32('lib-trunk')}`,
      user,
      pw,
    });
    const t1 = rec('t1', 'sip-one', 'Passw0rd-one-xyz');
    const t2 = rec('t2', 'sip-two', 'Passw0rd-two-xyz');
    const password = async () => {
      const r = await recordsOf(s).find(TRUNK_TABLE, tenantId, {});
      return r === undefined
        ? undefined
        : (await recordsOf(s).open(TRUNK_TABLE, tenantId, r, PASSWORD_FIELD))?.reveal();
    };
    // Both in one chunk: its batch writes the row twice, so each is judged again on its own.
    const first = await run([t1, t2]);
    expect(first.targets).toEqual({ trunk: { created: 1, conflict: 1 } });
    expect(first.conflicts).toEqual([
      {
        source: 'rows',
        record: 't2',
        target: 'trunk',
        fields: ['password', 'username'],
        reason: NOT_OURS,
      },
    ]);
    expect(await password()).toBe(t1.pw);
    noValues(first, [t1.pw, t2.pw]);

    const replaced = await run([t1, t2], true);
    expect(replaced.targets).toEqual({ trunk: { unchanged: 1, replaced: 1 } });
    expect(await password()).toBe(t2.pw);
    // t1 wrote the trunk, t2 changed it since: t1 is now the conflict.
    const back = await run([t1]);
    expect(back.conflicts).toEqual([expect.objectContaining({ record: 't1', reason: CHANGED })]);
    expect(await password()).toBe(t2.pw);
  });
});
