// Whatever the API accepts, it can show back: arbitrary Unicode written to every secret field of
// every provider and to named secrets, each write answered 200 or a 400 naming the field (never a
// 5xx), and every read after it, one by one and as lists, answered 200. Hints written by an older
// rule (UTF-16 units: half an emoji) still read, without the hint.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDER_SPECS, PROVIDERS } from '../../src/services/credentials/providers.js';
import { checkProperty } from '../support/property.js';
import { DIALECTS, startTestServer, type TestServer } from '../support/server.js';
import { validCredentials } from './fixtures.js';

const RUNS = Number(process.env['UNICODE_VIEW_RUNS'] ?? 60);

/** Values that stress hints: emoji at the end, combining marks, controls, lone surrogates. */
const EXPLICIT = [
  'aaaaaaaaaaaaaaaa\u{1F600}\u{1F600}',
  'aaaaaaaaaaaaaaa\u{1F600}',
  'abcdefghijklmnopqrstuvwxyze\u0301\u0301\u0301',
  'abcdefghijklmnopqrs\u{1F469}\u200d\u{1F469}\u200d\u{1F467}',
  'abcdefghijklmnop \t\n ',
  'abcdefghijklmnopqrst\ud83d',
  'abcdefghijklmnopqrst\u0000xyz',
  '\u202eabcdefghijklmnopqrstuvwxyz',
  'SG.' + 'x'.repeat(20) + '\u{1F600}',
];

const value = fc.oneof(
  fc.constantFrom(...EXPLICIT),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'grapheme', minLength: 12, maxLength: 30 }),
  fc.string({ unit: 'binary', minLength: 16, maxLength: 24 }).map((s) => 'SG.' + s),
);

describe.each(DIALECTS)('secret hints and views on %s', (dialect) => {
  let s: TestServer;
  let tenantId = '';

  async function expectReadsOk(): Promise<void> {
    const root = { token: s.rootToken };
    const reads = [
      `/v1/tenants/${tenantId}/credentials`,
      `/v1/tenants/${tenantId}/secrets`,
      ...PROVIDERS.map((p) => `/v1/tenants/${tenantId}/credentials/${p}`),
      `/v1/tenants/${tenantId}/secrets/probe`,
    ];
    for (const path of reads) {
      const r = await s.request('GET', path, root);
      expect(r.status, `${path}: ${r.text}`).toBe(200);
    }
  }

  beforeAll(async () => {
    s = await startTestServer(dialect, { logLevel: 'silent' });
    tenantId = await s.createTenant();
    const valid = validCredentials();
    for (const p of PROVIDERS) {
      const r = await s.request('PUT', `/v1/tenants/${tenantId}/credentials/${p}`, {
        token: s.rootToken,
        body: valid[p],
      });
      expect(r.status, r.text).toBe(200);
    }
    const r = await s.request('PUT', `/v1/tenants/${tenantId}/secrets/probe`, {
      token: s.rootToken,
      body: { value: 'first value of the probe' },
    });
    expect(r.status, r.text).toBe(200);
  });
  afterAll(async () => {
    await s.close();
  });

  it('every accepted value reads back, one by one and as lists', async () => {
    const targets = [
      ...PROVIDERS.flatMap((p) => PROVIDER_SPECS[p].secretFields.map((f) => [p, f] as const)),
      ['secret', 'value'] as const,
    ];
    await checkProperty(
      fc.asyncProperty(fc.constantFrom(...targets), value, async ([where, field], v) => {
        const path =
          where === 'secret'
            ? `/v1/tenants/${tenantId}/secrets/probe`
            : `/v1/tenants/${tenantId}/credentials/${where}`;
        const w = await s.request('PUT', path, { token: s.rootToken, body: { [field]: v } });
        expect([200, 400], w.text).toContain(w.status);
        if (w.status === 400) {
          expect((w.json as { error: { message: string } }).error.message).toMatch(
            new RegExp(`^(body\\.)?${field}\\b`),
          );
        } else {
          const shown = (w.json as Record<string, { last4?: string }>)[field];
          if (shown?.last4 !== undefined) {
            expect([...shown.last4]).toHaveLength(4);
            expect(v.endsWith(shown.last4)).toBe(true);
          }
        }
        await expectReadsOk();
      }),
      { numRuns: RUNS },
    );
  });

  it('hints stored by an older rule (UTF-16 units) read without their hint', async () => {
    const db = s.server.database.db;
    await db
      .updateTable('secrets')
      .set({ last4: '\ude00\u{1F600}x' })
      .where('tenant_id', '=', tenantId)
      .where('name', '=', 'probe')
      .execute();
    await db
      .updateTable('credentials')
      .set({ hints_json: JSON.stringify({ apiKey: { last4: '\u{1F600}\u{1F600}' } }) })
      .where('tenant_id', '=', tenantId)
      .where('provider', '=', 'sendgrid')
      .execute();
    await expectReadsOk();
    const one = await s.request('GET', `/v1/tenants/${tenantId}/secrets/probe`, {
      token: s.rootToken,
    });
    expect((one.json as { value: unknown }).value).toEqual({ set: true });
    const sg = await s.request('GET', `/v1/tenants/${tenantId}/credentials/sendgrid`, {
      token: s.rootToken,
    });
    expect((sg.json as { apiKey: unknown }).apiKey).toEqual({ set: true });
  });
});
