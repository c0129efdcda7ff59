// importRecords from the package entry, as a platform migrating in its own code calls it: the
// targets no example uses (named secrets, Retell and Exotel credentials, a tenant on its own), a
// changed record updated on the next call and only it, and the shape rules that make a value
// doubtful (a SendGrid key without `SG.`, a Twilio auth token that is not 32 hex digits).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRecords, type ImportReport } from '../../src/index.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { legacyEncoders, sampleSecrets } from './legacy-samples.js';

const CLI = { kind: 'cli' } as const;

describe('importRecords (library, sqlite)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('sqlite');
  });
  afterAll(async () => {
    await s?.close();
  });

  const secrets = sampleSecrets();
  const enc = legacyEncoders(secrets);
  const mapping = {
    version: 1,
    keys: {
      app: { scheme: 'gcm-packed-b64', secretEnv: 'UNUSED_BY_THE_LIBRARY_CALL' },
      plain: { scheme: 'plaintext' },
    },
    sources: [
      {
        name: 'rows',
        format: 'json',
        id: 'id',
        tenant: { externalId: { path: 'customer' }, name: { path: 'company' } },
        targets: [
          { type: 'tenant', where: { path: 'kind', equals: 'customer' } },
          {
            type: 'secret',
            where: { path: 'kind', equals: 'secret' },
            fields: { name: { path: 'name' }, value: { path: 'blob', key: 'app' } },
          },
          {
            type: 'credentials:retell',
            where: { path: 'kind', equals: 'retell' },
            fields: { apiKey: { path: 'blob', key: 'app', json: 'key' } },
          },
          {
            type: 'credentials:exotel',
            where: { path: 'kind', equals: 'exotel' },
            fields: {
              apiKey: { path: 'blob', key: 'app', json: 'apiKey' },
              apiToken: { path: 'blob', key: 'app', json: 'apiToken' },
              sid: { path: 'sid' },
              subdomain: { value: 'api.in.exotel.com' },
            },
          },
          {
            type: 'credentials:sendgrid',
            where: { path: 'kind', equals: 'sendgrid' },
            fields: { apiKey: { path: 'key', key: 'plain' }, fromEmail: { path: 'from' } },
          },
          {
            type: 'credentials:twilio',
            where: { path: 'kind', equals: 'twilio' },
            fields: { accountSid: { path: 'sid' }, authToken: { path: 'token', key: 'plain' } },
          },
        ],
      },
    ],
  };
  const run = (records: Record<string, unknown>[]): Promise<ImportReport> =>
    importRecords({ ...s.server.services, db: s.server.database.db }, mapping, records, {
      allowPlaintext: true,
      keySecrets: (name) => (name === 'app' ? secrets.packed : ''),
      actor: CLI,
    });

  it('writes every target, updates only what changed, and reports bad shapes as doubtful', async () => {
    const webhook = `whsec_${randomBytes(12).toString('hex')}`;
    const rows = [
      { id: 'c1', kind: 'customer', customer: 'cust-1', company: 'Initech' },
      {
        id: 's1',
        kind: 'secret',
        customer: 'cust-1',
        name: 'webhook-secret',
        blob: enc.packed(webhook, 's1'),
      },
      {
        id: 'r1',
        kind: 'retell',
        customer: 'cust-1',
        blob: enc.packed(JSON.stringify({ key: 'key_abc123def456' }), 'r1'),
      },
      {
        id: 'e1',
        kind: 'exotel',
        customer: 'cust-1',
        sid: 'initech1',
        blob: enc.packed(
          JSON.stringify({ apiKey: 'a14dc4fbfa60fa17cd8095c18f5d5aeb', apiToken: 'tok-55eade19' }),
          'e1',
        ),
      },
      {
        id: 'g1',
        kind: 'sendgrid',
        customer: 'cust-1',
        key: 'not-a-sendgrid-key',
        from: 'a@example.com',
      },
      { id: 't1', kind: 'twilio', customer: 'cust-1', sid: `AC${'0'.repeat(32)}`, token: 'short' },
    ];
    const first = await run(rows);
    expect(first.targets).toEqual({
      tenant: { created: 1 },
      secret: { created: 1 },
      'credentials:retell': { created: 1 },
      'credentials:exotel': { created: 1 },
      'credentials:sendgrid': { doubtful: 1 },
      'credentials:twilio': { doubtful: 1 },
    });
    expect(first.doubtful.map((d) => [d.record, d.field, d.rule])).toEqual([
      ['g1', 'apiKey', 'must start with "SG." (a SendGrid API key)'],
      ['t1', 'authToken', 'must be 32 hex digits'],
    ]);
    const t = await s.server.services.tenants.findByExternalId('cust-1');
    if (t === undefined) throw new Error('no tenant');
    expect(t.name).toBe('Initech');
    const token = await s.mintToken(t.id, ['secrets:reveal', 'credentials:read']);
    const reveal = await s.request('POST', `/v1/tenants/${t.id}/secrets/webhook-secret/reveal`, {
      token,
    });
    expect(reveal.json).toMatchObject({ value: webhook });
    const retell = await s.server.services.credentials.use(t.id, 'retell', 'import.test', CLI);
    expect(retell.secrets['apiKey']?.reveal()).toBe('key_abc123def456');
    const exotel = await s.request('GET', `/v1/tenants/${t.id}/credentials/exotel`, { token });
    expect(exotel.json).toMatchObject({ sid: 'initech1', subdomain: 'api.in.exotel.com' });

    // The secret changed at the source: only it is written again.
    const rotated = `whsec_${randomBytes(12).toString('hex')}`;
    const second = await run(
      rows.map((r) => (r.id === 's1' ? { ...r, blob: enc.packed(rotated, 's1b') } : r)),
    );
    expect(second.targets).toMatchObject({
      tenant: { unchanged: 1 },
      secret: { updated: 1 },
      'credentials:retell': { unchanged: 1 },
      'credentials:exotel': { unchanged: 1 },
    });
    const again = await s.request('POST', `/v1/tenants/${t.id}/secrets/webhook-secret/reveal`, {
      token,
    });
    expect(again.json).toMatchObject({ value: rotated });
  });

  it('a phone: one record a number, its number fixed once imported, made again when deleted', async () => {
    const phones = {
      version: 1,
      sources: [
        {
          name: 'phones',
          format: 'json',
          id: 'id',
          tenant: { externalId: { value: 'cust-phones' } },
          targets: [
            {
              type: 'phone',
              fields: {
                number: { path: 'n' },
                provider: { value: 'twilio' },
                label: { path: 'l' },
              },
            },
          ],
        },
      ],
    };
    const go = (records: Record<string, unknown>[]) =>
      importRecords({ ...s.server.services, db: s.server.database.db }, phones, records, {
        actor: CLI,
      });
    const first = await go([
      { id: 'p1', n: '+61401148075', l: 'one' },
      { id: 'p2', n: '+61 401 148 075', l: 'same number' },
    ]);
    expect(first.targets).toEqual({ phone: { created: 1, doubtful: 1 } });
    expect(first.doubtful).toEqual([
      expect.objectContaining({
        record: 'p2',
        field: 'number',
        rule: 'must be unique in its tenant: another record has it',
      }),
    ]);
    const t = await s.server.services.tenants.findByExternalId('cust-phones');
    if (t === undefined) throw new Error('no tenant');
    const changed = await go([{ id: 'p1', n: '+447476942799', l: 'one' }]);
    expect(changed.failed).toEqual([
      expect.objectContaining({
        record: 'p1',
        code: 'ERR_VALIDATION',
        message: expect.stringMatching(/^number: changed at the source/) as unknown,
      }),
    ]);
    const [phone] = (await s.server.services.phones.list(t.id, {}, true)).phones;
    expect(phone?.number).toBe('+61401148075');
    await s.server.services.phones.remove(t.id, phone?.id ?? '', CLI);
    const remade = await go([{ id: 'p1', n: '+447476942799', l: 'one' }]);
    // Nothing of it was there: made again, so created (not an update of a phone that is gone).
    expect(remade.targets).toEqual({ phone: { created: 1 } });
    const list = (await s.server.services.phones.list(t.id, {}, true)).phones;
    expect(list.map((p) => p.number)).toEqual(['+447476942799']);
  });
});
